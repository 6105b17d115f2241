// A shared library that is not a Nexus plugin (no entry alias).
extern "C" __attribute__((visibility("default"))) int not_a_plugin() { return 42; }
