# error_budget: built and installed with PostgreSQL's PGXS.
#   make                 build the extension (g++ objects + clang bitcode for JIT)
#   make install         install into the PostgreSQL that pg_config names
#   make installcheck    pg_regress suites in sql/ against a running server
# The README's two commands (scripts/demo.sh, scripts/test.sh) wrap all of this.

EXTENSION = error_budget
MODULE_big = error_budget
OBJS = $(patsubst %.cpp,%.o,$(sort $(wildcard src/core/*.cpp src/pg/*.cpp)))
DATA = $(sort $(wildcard extension/error_budget--*.sql))

REGRESS = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --load-extension=error_budget

# Isolation specs (pg_isolation_regress): test/isolation/specs, .../expected.
ISOLATION = $(patsubst test/isolation/specs/%.spec,%,$(sort $(wildcard test/isolation/specs/*.spec)))
ISOLATION_OPTS = --inputdir=test/isolation --load-extension=error_budget

PG_CXXFLAGS = -std=c++17 -Wno-register
# `make WERROR=1` (the test command builds this way) turns every warning into an error.
ifdef WERROR
PG_CXXFLAGS += -Werror
endif
SHLIB_LINK = -lstdc++ -lnlopt

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS's bitcode rule ignores CXXFLAGS (DESIGN.md §8): give clang the same
# language standard, or the JIT bitcode is built as another dialect or fails.
COMPILE.cxx.bc = $(CLANG) -xc++ -std=c++17 -Wno-register -Wno-ignored-attributes $(BITCODE_CXXFLAGS) $(CPPFLAGS) -flto=thin -emit-llvm -c

# The pure core is held to stricter warnings than PostgreSQL's headers allow.
src/core/%.o: CXXFLAGS += -Wextra
# The Holt-Winters recursions are what a fit spends its time in: -O3 vectorises
# the gradient pass (1.7x faster fits on bench/holt_winters.sh). No fast-math: the
# exact filter must stay operation-for-operation R's.
src/core/holt_winters_filter.o: CXXFLAGS += -O3

# Headers are not tracked by PGXS; rebuild everything when one changes.
$(OBJS) $(OBJS:.o=.bc): $(wildcard src/core/*.hpp src/pg/*.hpp)
