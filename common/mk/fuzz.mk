# Host-side fuzzing of the course's parsers (boot information, printf, HTTP).
# chapter.mk includes this file, and so does common/Makefile.
#
# A folder with fuzz targets has tests/fuzz/targets.mk, which says for each:
#   FUZZ_TARGETS += NAME
#   NAME_SOURCES := the C files under test, relative to the folder
#   NAME_CFLAGS  := more compiler flags (optional)
#   NAME_ARCHES  := 64 32   (optional, default 64: 32 builds it for i386 too)
# (NAME shares its namespace with EFI_APPS and KERNELS: pick one they do not use.)
# The target's entry is tests/fuzz/fuzz_NAME.c, which defines
#   int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
# and the inputs worth keeping (seeds, and every input that once failed) are
# small binary files in tests/fuzz/corpus/NAME/.
#
#   make fuzz            every target, FUZZ_SECONDS (default 60) per build:
#                        64-bit AddressSanitizer + UndefinedBehaviorSanitizer,
#                        the same for 32-bit where NAME_ARCHES has 32, and
#                        64-bit MemorySanitizer where that builds.
#                        A finding is reported with the file that reproduces it.
#   make fuzz-NAME       one target
#   make -n fuzz         what make fuzz would build and run; nothing is run
#   make fuzz-targets    one line per target: NAME and its arches
#   make test            replays every kept corpus (bootcamp.plugin collects
#                        tests/fuzz/targets.mk): build/fuzz/NAME-replay-BITS,
#                        built with gcc and a small main instead of libFuzzer's,
#                        so it needs neither clang nor a 32-bit libFuzzer.
#
# What gets built (build/fuzz/):
#   NAME-64, NAME-32, NAME-msan   libFuzzer programs (clang)
#   NAME-replay-64, -replay-32    replay programs (gcc)
#   corpus/NAME/                  what the fuzzer found interesting (kept corpus seeds it)
#   findings/NAME-BUILD/          crash-*, timeout-*: inputs that failed
#   NAME-BUILD.log                the fuzzer's own output
#
# 32-bit programs run directly where the kernel runs i386 programs. Where it
# cannot, libFuzzer does not survive qemu-i386, so `make fuzz` replays what the
# 64-bit run found through NAME-replay-32 under qemu-i386 instead (fuzz_run.sh).
# _FILE_OFFSET_BITS=64: a 32-bit readdir() otherwise fails on 64-bit inode numbers.

FUZZ_MK_DIR  := $(dir $(lastword $(MAKEFILE_LIST)))
FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FUZZ_DIR     := $(BUILD)/fuzz
# One input that runs longer than this is a hang (a walk that never advances).
FUZZ_INPUT_SECONDS ?= 10
FUZZ_REPLAY_MAIN := $(FUZZ_MK_DIR)../test/fuzz_replay.c
# make -n runs fuzz-NAME's loop anyway (it calls $(MAKE)): the loop asks, and only prints.
FUZZ_DRY_RUN = $(findstring n,$(firstword -$(MAKEFLAGS)))

FUZZ_TARGETS :=
-include tests/fuzz/targets.mk

# The sources are read as the kernel reads them: the course's headers by "name"
# (-iquote), so the host's <string.h> is still the host's.
FUZZ_COMMON_FLAGS := -std=gnu11 -g -O1 -fno-omit-frame-pointer -Wall -Wextra -Werror \
    -iquote $(COMMON)/include -iquote . -iquote tests/fuzz
FUZZ_SANITIZE     := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_FLAGS_64     := $(FUZZ_COMMON_FLAGS) -fsanitize=fuzzer $(FUZZ_SANITIZE)
FUZZ_FLAGS_32     := $(FUZZ_FLAGS_64) -m32
FUZZ_FLAGS_msan   := $(FUZZ_COMMON_FLAGS) -fsanitize=fuzzer,memory -fsanitize-memory-track-origins
REPLAY_FLAGS      := $(FUZZ_COMMON_FLAGS) $(FUZZ_SANITIZE) \
    -DFUZZ_INPUT_SECONDS=$(FUZZ_INPUT_SECONDS) -D_FILE_OFFSET_BITS=64

.PHONY: fuzz fuzz-targets $(FUZZ_TARGETS:%=fuzz-%)

fuzz: $(FUZZ_TARGETS:%=fuzz-%)
	@$(if $(FUZZ_TARGETS),$(FUZZ_MK_DIR)fuzz_run.sh summary $(FUZZ_DIR) $(FUZZ_TARGETS),\
	    echo "$(notdir $(CURDIR)): no fuzz targets")

fuzz-targets:
	@$(foreach t,$(FUZZ_TARGETS),echo "$(t) $(or $($(t)_ARCHES),64)";)

# fuzz_target_rules NAME: its programs and its fuzz-NAME run.
define fuzz_target_rules
$(1)_FUZZ_INPUTS := $$($(1)_SOURCES) tests/fuzz/fuzz_$(1).c
$(1)_BUILDS := $$(foreach a,$$(or $$($(1)_ARCHES),64),$$(a)) msan

$(FUZZ_DIR)/$(1)-64 $(FUZZ_DIR)/$(1)-32 $(FUZZ_DIR)/$(1)-msan: $$($(1)_FUZZ_INPUTS) $(FUZZ_MK_DIR)fuzz.mk
	@mkdir -p $$(@D)
	$(FUZZ_CC) $$(FUZZ_FLAGS_$$(subst $(1)-,,$$(@F))) $$($(1)_CFLAGS) $$($(1)_FUZZ_INPUTS) \
	    -o $$@.tmp && mv $$@.tmp $$@

# Written to a temporary name and renamed: a test running the program never
# sees it half-written.
$(FUZZ_DIR)/$(1)-replay-64 $(FUZZ_DIR)/$(1)-replay-32: $$($(1)_FUZZ_INPUTS) $(FUZZ_REPLAY_MAIN) $(FUZZ_MK_DIR)fuzz.mk
	@mkdir -p $$(@D)
	$(CC) $$(REPLAY_FLAGS) -m$$(subst $(1)-replay-,,$$(@F)) $$($(1)_CFLAGS) \
	    $$($(1)_FUZZ_INPUTS) $(FUZZ_REPLAY_MAIN) -o $$@.tmp && mv $$@.tmp $$@

fuzz-$(1):
	@mkdir -p $(FUZZ_DIR)
	@rm -f $(FUZZ_DIR)/$(1)-*.result
	@for build in $$($(1)_BUILDS); do \
	    programs="$(FUZZ_DIR)/$(1)-$$$$build $$$$(if [ $$$$build = 32 ]; then echo $(FUZZ_DIR)/$(1)-replay-32; fi)"; \
	    if [ -n "$$(FUZZ_DRY_RUN)" ]; then \
	        $$(MAKE) --no-print-directory $$$$programs; \
	        echo "$(FUZZ_MK_DIR)fuzz_run.sh run $(FUZZ_DIR) $(1) $$$$build $(FUZZ_SECONDS) ..."; \
	    elif $$(MAKE) --no-print-directory $$$$programs > $(FUZZ_DIR)/$(1)-$$$$build.build.log 2>&1; then \
	        $(FUZZ_MK_DIR)fuzz_run.sh run $(FUZZ_DIR) $(1) $$$$build $(FUZZ_SECONDS) \
	            $(FUZZ_INPUT_SECONDS) tests/fuzz/corpus/$(1); \
	    else \
	        $(FUZZ_MK_DIR)fuzz_run.sh unbuilt $(FUZZ_DIR) $(1) $$$$build; \
	    fi; \
	done
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call fuzz_target_rules,$(t))))
