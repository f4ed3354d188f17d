// The extension's shared library: exactly one PG_MODULE_MAGIC for the whole module.
#include "postgres_headers.hpp"

extern "C" {
PG_MODULE_MAGIC;
}
