# The targets every chapter has. Included at the end of a chapter's rules
# (bios.mk, efi.mk or the chapter's own). Before including, a chapter sets:
#   IMAGES        every bootable artifact it builds (build/...)
#   RUN_IMAGE     what `make run` boots              (default: the first of IMAGES)
#   RUN_MEDIA     floppy | hd | cdrom | efi          (default: floppy)
#   RUN_OPTIONS   more options for the launcher      (e.g. --memory 128 --network)
#   GDB_SCRIPT    what gdb runs for `make debug`     (default: 16-bit real mode)
#   DEBUG_SYMBOLS the ELF file gdb loads symbols from (optional)
#   BENCH_COMMAND what `make bench` runs (default: the course's generic timing)
#   BENCH_FIGURES where that command leaves figures for the course's make bench (optional)

include $(dir $(lastword $(MAKEFILE_LIST)))tools.mk

RUN_IMAGE  ?= $(firstword $(IMAGES))
RUN_MEDIA  ?= floppy
GDB_SCRIPT ?= $(COMMON)/gdb/real_mode.gdb
LAUNCH      = $(HARNESS) -m bootcamp.run
LAUNCH_ARGS = $(RUN_IMAGE) --media $(RUN_MEDIA) $(RUN_OPTIONS)

.DEFAULT_GOAL := all
# Keep every intermediate file (objects, ELF twins, raw binaries): learners read them.
.SECONDARY:
.PHONY: all run run-bochs debug test grade bench bench-config config clean help print-image doctor \
        screenshot bochs-screen console

all: $(IMAGES)

$(BUILD):
	@mkdir -p $@

# Flags and variables shape outputs as much as sources do: removing
# -fshort-wchar or adding a file to ISO_FILES must rebuild what they shape.
# build/flags.txt holds every such variable's value and is rewritten only when
# one changes; every rule that compiles, assembles, links or packs lists it
# after its real inputs. Names are matched when the recipe runs, after every
# makefile has set its variables.
FLAGS_FILE := $(BUILD)/flags.txt
SHAPING_VARIABLES = $(sort CC AS LD NASM OBJCOPY BOOT_BUDGET LOAD_ADDRESS LOAD_LIMIT \
    $(filter %FLAGS %FLAGS_WARN %FLAGS_INC %_CFLAGS %_LDFLAGS %_LIBS %_FILES %_SOURCES \
             %_OBJECTS %_HEADER %_GRUB_CFG KERNELS KERNEL_% EFI_% GRUB_% HD_% ISO_% \
             STAGE1_FLAGS_% PAYLOAD PAYLOAD_% BUILDS_ON,$(.VARIABLES)))
# Variables from the environment are left out (a test's or a terminal's
# environment must not rebuild the chapter); those set in a makefile or on
# make's command line count. Each make writes its own temporary file (its
# shell's PID in the name) and renames it, so two makes at once never trip
# over each other's.
# `make -n` prints recipes without running them, but it still expands them,
# and with them $(file ...): so a dry run writes nothing.
FLAGS_NEW = $@.new.$(FLAGS_PID)
FLAGS_PID := $(shell echo $$PPID)
DRY_RUN = $(findstring n,$(firstword -$(MAKEFLAGS)))
$(FLAGS_FILE): FORCE | $(BUILD)
	@$(if $(DRY_RUN),,$(file >$(FLAGS_NEW),$(foreach v,$(filter-out PYTEST_FLAGS MAKEFLAGS MFLAGS GNUMAKEFLAGS .%,$(SHAPING_VARIABLES)),$(if $(filter environment%,$(origin $(v))),,$(v)=$(value $(v)) -> $($(v))$(newline)))))
	@if cmp -s $(FLAGS_NEW) $@; then rm -f $(FLAGS_NEW); else \
	    test ! -e $@ || echo "flags or variables changed (see $@): rebuilding"; mv -f $(FLAGS_NEW) $@; fi
.PHONY: FORCE
FORCE:
define newline


endef

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

# While make run or make debug runs (in another terminal): save QEMU's screen
# as build/screen.png. While make run-bochs runs without a display: show
# Bochs's screen in this terminal.
screenshot:
	@$(LAUNCH) screenshot $(LAUNCH_ARGS)

bochs-screen:
	@$(LAUNCH) bochs-screen $(LAUNCH_ARGS)

# While make debug runs a UEFI chapter without a display: its console (the
# serial port) in this terminal, to type into the shell while gdb waits.
console:
	@$(LAUNCH) console $(LAUNCH_ARGS)

test:
	@$(DOCTOR) --quiet
	@$(MAKE) --no-print-directory all
	$(HARNESS) -m pytest -p bootcamp.plugin $(PYTEST_FLAGS) tests

# The lab parts of lab.toml: one line each with its points, then Score: X/Y
# (TEACHING.md). Results in build/grade/: grade.json, results.json, junit.xml.
grade:
	@$(DOCTOR) --quiet
	@$(HARNESS) -m bootcamp.grade $(CURDIR)

BENCH_COMMAND ?= $(HARNESS) -m bootcamp.bench "$(CURDIR)"
bench: all
	@$(BENCH_COMMAND)

# What make bench needs to know about the chapter, one key=value a line.
#   BENCH_MARKER  the text that says the chapter is ready (its success line or prompt);
#                 empty: ready when the CPU halts
#   BENCH_SOURCE  where the marker appears: debug | serial | screen
#   BENCH_TOUCH   the source file touched to time a rebuild
#   BENCH_BOCHS   yes: time the boot in Bochs too
#   BENCH_FLOOR   the floor (common/bench/) its boot is read against: bios | grub | uefi
#                 (empty: the firmware's, bios or uefi)
BENCH_SOURCE ?= debug
BENCH_TOUCH  ?= $(firstword $(wildcard *.asm *.S *.c))
bench-config:
	@echo 'launch=$(LAUNCH_ARGS)'
	@echo 'marker=$(BENCH_MARKER)'
	@echo 'source=$(BENCH_SOURCE)'
	@echo 'touch=$(BENCH_TOUCH)'
	@echo 'bochs=$(BENCH_BOCHS)'
	@echo 'floor=$(BENCH_FLOOR)'
	@echo 'images=$(IMAGES)'
	@echo 'figures=$(BENCH_FIGURES)'

doctor:
	@$(DOCTOR)

# What the build knows, as JSON, for the tests (the harness's chapter.config()):
# one channel from make to the tests, so no test types a build value again.
# Variables a chapter does not use are left out.
CONFIG_VARIABLES := IMAGES RUN_IMAGE RUN_MEDIA RUN_OPTIONS BUILDS_ON DEBUG_PORT \
    BOOT_BUDGET LOAD_ADDRESS LOAD_LIMIT PAYLOAD PAYLOAD_VARIANTS SECTOR_BYTES FLOPPY_BYTES \
    HD_SECTORS HD_PARTITION_START HD_PARTITION_TYPE KERNEL_ARCH KERNELS ISO_FILES GRUB_CFG \
    DEBUG_SYMBOLS GDB_SCRIPT EFI_APPS ESP_IMAGE BENCH_MARKER
config:
	@$(PYTHON) -c 'import json, sys; print(json.dumps(dict(a.split("=", 1) for a in sys.argv[1:]), indent=1))' \
	    chapter=$(THIS_CHAPTER) $(foreach v,$(CONFIG_VARIABLES),$(if $(strip $($(v))),'$(v)=$(strip $($(v)))'))

clean:
	rm -rf $(BUILD)

# make check, make pictures, make usb: what the lesson gives the learner.
include $(COMMON)/mk/lesson.mk

help:
	@echo "make             build $(IMAGES)"
	@echo "make run         boot $(RUN_IMAGE) in QEMU (a window, or this terminal)"
	@echo "make run-bochs   boot it in Bochs"
	@echo "make debug       QEMU paused at the first instruction, with gdb attached"
	@echo "make screenshot  while make run/debug runs: its screen as build/screen.png"
	@echo "make bochs-screen  while make run-bochs runs without a display: its screen here"
	@echo "make console     while make debug runs a UEFI chapter: its console here (Ctrl-] leaves)"
	@echo "make test        build, then run the tests in tests/ (QEMU and Bochs)"
	@echo "make grade       score the lab parts of lab.toml (TEACHING.md)"
	@echo "make bench       time the build, the boot and the tests"
	@echo "make check EX=N  check your attempt at exercise N (make check: all of them)"
	@echo "make pictures    pictures/*.png: the screen the lesson ends with"
	@echo "make usb DEVICE=/dev/sdX  write $(USB_IMAGE) to a USB stick (asks first)"
	@echo "make print-image the path of every bootable image, one a line"
	@echo "make config      what the build knows (addresses, sizes, images), as JSON"
	@echo "make fuzz        fuzz the chapter's parsers on this machine (tests/fuzz/), FUZZ_SECONDS each"
	@echo "make doctor      check the tools the course needs"
	@echo "make clean       remove build/"
	@echo
	@echo "make run starts:"
	@$(LAUNCH) qemu $(LAUNCH_ARGS) --print
	@echo "make run-bochs starts:"
	@$(LAUNCH) bochs $(LAUNCH_ARGS) --print

# make fuzz, and the fuzz targets' replay programs (tests/fuzz/targets.mk).
include $(COMMON)/mk/fuzz.mk
