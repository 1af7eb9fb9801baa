# Tools and flags every chapter uses. Included by chapter.mk; override on the
# command line (make CC=clang) or in the environment.

# Relative paths (../common from a chapter), never $(abspath): make splits
# words at spaces, and a checkout under "/home/Ann Lee/" must build. A path
# relative to the folder make runs in has no space in it (no chapter's name
# has one); every recipe runs in that folder.
COMMON  := $(patsubst %/,%,$(dir $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))))
ROOT    := $(COMMON)/..
BUILD   := build

NASM    ?= nasm
AS      := as
LD      := ld
OBJCOPY ?= objcopy
OBJDUMP ?= objdump
# Debian's own python3: pytest comes from Debian's packages, not from PyPI.
PYTHON  ?= $(firstword $(wildcard /usr/bin/python3) python3)

# The emulators' debug console: QEMU's -debugcon and Bochs's port_e9_hack pass
# every byte written to I/O port 0xE9 to the host. Defined here once and handed
# to NASM, GNU as and C alike (DEBUG_PORT in every source that writes there).
DEBUG_PORT      := 0xE9
NASMFLAGS_DEFS  := -DDEBUG_PORT=$(DEBUG_PORT)
ASFLAGS_DEFS    := --defsym DEBUG_PORT=$(DEBUG_PORT)
CFLAGS_DEFS     := -DDEBUG_PORT=$(DEBUG_PORT)

# Warnings are errors, in NASM as in C.
NASMFLAGS_WARN := -w+all -w+error

# The chapters this one builds on (BUILDS_ON): search paths, provides.mk.
include $(COMMON)/mk/builds_on.mk

# Where NASM looks for %include files: the chapter, then the chapters it builds on.
NASMFLAGS_INC  := -I./ $(BUILDS_ON_NASM_INC) $(NASMFLAGS_DEFS)

# The harness and the launcher are a Python package in common/test.
HARNESS := PYTHONPATH=$(COMMON)/test PYTHONDONTWRITEBYTECODE=1 $(PYTHON)
DOCTOR  := $(COMMON)/mk/doctor.sh

# pytest runs tests in parallel, one worker per core, when pytest-xdist is there.
JOBS    ?= $(shell nproc 2>/dev/null || echo 2)
XDIST   := $(shell $(PYTHON) -c "import importlib.util as u, sys; sys.exit(u.find_spec('xdist') is None)" \
                   2>/dev/null && echo -n $(JOBS))
PYTEST_FLAGS ?= -q -rfE -p no:cacheprovider $(if $(XDIST),-n $(XDIST))
