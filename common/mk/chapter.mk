# The targets every chapter has. Included at the end of a chapter's rules
# (bios.mk, efi.mk or the chapter's own). Before including, a chapter sets:
#   IMAGES        every bootable artifact it builds (build/...)
#   RUN_IMAGE     what `make run` boots              (default: the first of IMAGES)
#   RUN_MEDIA     floppy | hd | cdrom | efi          (default: floppy)
#   RUN_OPTIONS   more options for the launcher      (e.g. --memory 128 --network)
#   GDB_SCRIPT    what gdb runs for `make debug`     (default: 16-bit real mode)
#   DEBUG_SYMBOLS the ELF file gdb loads symbols from (optional)
#   BENCH_COMMAND what `make bench` runs (default: the course's generic timing)

include $(dir $(lastword $(MAKEFILE_LIST)))tools.mk

RUN_IMAGE  ?= $(firstword $(IMAGES))
RUN_MEDIA  ?= floppy
GDB_SCRIPT ?= $(COMMON)/gdb/real_mode.gdb
LAUNCH      = $(HARNESS) -m bootcamp.run
LAUNCH_ARGS = $(RUN_IMAGE) --media $(RUN_MEDIA) $(RUN_OPTIONS)

.DEFAULT_GOAL := all
# Keep every intermediate file (objects, ELF twins, raw binaries): learners read them.
.SECONDARY:
.PHONY: all run run-bochs debug test bench bench-config clean help print-image doctor

all: $(IMAGES)

$(BUILD):
	@mkdir -p $@

print-image:
	@for image in $(IMAGES); do echo "$(CURDIR)/$$image"; done

run: all
	@$(DOCTOR) --quiet
	$(LAUNCH) qemu $(LAUNCH_ARGS)

run-bochs: all
	@$(DOCTOR) --quiet
	$(LAUNCH) bochs $(LAUNCH_ARGS)

debug: all
	@$(DOCTOR) --quiet
	$(LAUNCH) debug $(LAUNCH_ARGS) --gdb-script $(GDB_SCRIPT) \
	    $(if $(DEBUG_SYMBOLS),--symbols $(DEBUG_SYMBOLS))

test:
	@$(DOCTOR) --quiet
	@$(MAKE) --no-print-directory all
	$(HARNESS) -m pytest -p bootcamp.plugin $(PYTEST_FLAGS) tests

BENCH_COMMAND ?= $(HARNESS) -m bootcamp.bench "$(CURDIR)"
bench: all
	@$(BENCH_COMMAND)

# What make bench needs to know about the chapter, one key=value a line.
#   BENCH_MARKER  the text that says the chapter is ready (its success line or prompt);
#                 empty: ready when the CPU halts
#   BENCH_SOURCE  where the marker appears: debug | serial | screen
#   BENCH_TOUCH   the source file touched to time a rebuild
#   BENCH_BOCHS   yes: time the boot in Bochs too
BENCH_SOURCE ?= debug
BENCH_TOUCH  ?= $(firstword $(wildcard *.asm *.S *.c))
bench-config:
	@echo 'launch=$(LAUNCH_ARGS)'
	@echo 'marker=$(BENCH_MARKER)'
	@echo 'source=$(BENCH_SOURCE)'
	@echo 'touch=$(BENCH_TOUCH)'
	@echo 'bochs=$(BENCH_BOCHS)'
	@echo 'images=$(IMAGES)'

doctor:
	@$(DOCTOR)

clean:
	rm -rf $(BUILD)

help:
	@echo "make             build $(IMAGES)"
	@echo "make run         boot $(RUN_IMAGE) in QEMU (a window, or this terminal)"
	@echo "make run-bochs   boot it in Bochs"
	@echo "make debug       QEMU paused at the first instruction, with gdb attached"
	@echo "make test        build, then run the tests in tests/ (QEMU and Bochs)"
	@echo "make bench       time the build, the boot and the tests"
	@echo "make print-image the path of every bootable image, one a line"
	@echo "make doctor      check the tools the course needs"
	@echo "make clean       remove build/"
	@echo
	@echo "make run starts:"
	@$(LAUNCH) qemu $(LAUNCH_ARGS) --print
	@echo "make run-bochs starts:"
	@$(LAUNCH) bochs $(LAUNCH_ARGS) --print
