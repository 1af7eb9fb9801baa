# Rules for UEFI chapters: C programs built with gcc and gnu-efi into PE32+
# applications, and a FAT EFI system partition (ESP) image to boot them from.
#
# A chapter sets, before including this file:
#   EFI_APPS      names of applications; NAME.efi is linked from $(NAME_SOURCES)
#                 (e.g. EFI_APPS := shell and shell_SOURCES := efi_main.c ...)
#   ESP_IMAGE     the ESP to build (default build/esp.img), holding the first
#                 application as \EFI\BOOT\BOOTX64.EFI, where firmware looks
#   ESP_FILES     more files for the ESP's root folder (e.g. autorun.txt, or
#                 build/NAME.efi: the UEFI driver of iPXE's efi-NAME.rom, below)
#   EFI_CFLAGS_EXTRA  more compiler flags (e.g. -I for the chapter's headers)
#   EFI_COMMON    files under common/ linked into every application, as
#                 kernel.mk's KERNEL_COMMON (e.g. lib/format.c: the course's
#                 snprintf); built in build/efi/common/, headers from
#                 common/include
#
# Not lib/memory.c: gnu-efi's libefi.a defines memcpy and memset in init.o,
# the member that InitializeLib is in, so a second copy fails the link as a
# duplicate. UEFI programs copy with gnu-efi's CopyMem and SetMem; string.c
# (strlen, strcmp ...) links.
#
# Why gnu-efi: it is a Debian package with the UEFI headers, start-up code
# (crt0) and a linker script. gcc builds an ELF shared object, and objcopy
# rewrites it as a PE32+ image with the EFI application subsystem. Its crt0
# receives the firmware's call (Microsoft x64 convention), applies the
# relocations, and calls efi_main with the System V convention: so efi_main is
# NOT declared EFIAPI, while every function the firmware calls back (event
# notify functions) must be. -DGNU_EFI_USE_MS_ABI makes EFIAPI mean
# __attribute__((ms_abi)), so protocol functions are called directly.

MK_DIR      := $(dir $(lastword $(MAKEFILE_LIST)))
ESP_IMAGE   ?= build/esp.img
IMAGES      ?= $(ESP_IMAGE)
RUN_MEDIA   := efi
RUN_IMAGE   ?= $(ESP_IMAGE)
GDB_SCRIPT  ?= $(MK_DIR)../gdb/uefi.gdb
BENCH_SOURCE ?= serial
BENCH_BOCHS ?= no            # Bochs takes ~25 s to reach an application: timed by hand
include $(MK_DIR)chapter.mk

EFI_INC     := /usr/include/efi
EFI_LIBDIR  := /usr/lib
EFI_CRT0    := $(EFI_LIBDIR)/crt0-efi-x86_64.o
EFI_LDS     := $(EFI_LIBDIR)/elf_x86_64_efi.lds

EFI_CFLAGS  := -std=gnu11 -O2 -g -Wall -Wextra -Werror \
               -ffreestanding -fpic -fshort-wchar -mno-red-zone \
               -fno-stack-protector -fno-stack-check -fno-strict-aliasing \
               -maccumulate-outgoing-args -DGNU_EFI_USE_MS_ABI $(CFLAGS_DEFS) \
               -I$(EFI_INC) -I$(EFI_INC)/x86_64 -I. $(BUILDS_ON_CC_INC) -I$(COMMON)/efi -MMD -MP \
               -idirafter $(COMMON)/include $(EFI_CFLAGS_EXTRA)
# -idirafter, not -I: common/include is searched last, after the chapters'
# folders and the system's, so its kernel headers (console.h, string.h ...)
# never stand in for a UEFI chapter's own or for <string.h>; format.h, which
# no other folder has, is still found.
EFI_LDFLAGS := -nostdlib -znocombreloc -shared -Bsymbolic --fatal-warnings \
               -T $(EFI_LDS) -L$(EFI_LIBDIR)
EFI_LIBS    := -lefi -lgnuefi
# The sections of the ELF file that make up the PE image.
EFI_SECTIONS := -j .text -j .sdata -j .data -j .rodata -j .dynamic -j .dynsym \
                -j .rel -j .rela -j .rel.* -j .rela.* -j .reloc
EFI_SUBSYSTEM_APPLICATION := 10

vpath %.c . $(COMMON)/efi

$(BUILD)/efi/%.o: %.c $(FLAGS_FILE) | $(BUILD)
	@mkdir -p $(dir $@)
	$(CC) $(EFI_CFLAGS) -c -o $@ $<

# common/lib/format.c -> build/efi/common/lib/format.o (a pattern rule more
# specific than the one above, so make prefers it).
EFI_COMMON_OBJECTS := $(addprefix $(BUILD)/efi/common/,$(EFI_COMMON:.c=.o))
$(BUILD)/efi/common/%.o: $(COMMON)/%.c $(FLAGS_FILE) | $(BUILD)
	@mkdir -p $(dir $@)
	$(CC) $(EFI_CFLAGS) -c -o $@ $<

# NAME.so: the ELF image with symbols (for gdb); NAME.efi: what firmware runs;
# NAME.dis: the disassembly of NAME.so interleaved with the C source, to read.
define efi_app_rules
$(BUILD)/$(1).so: $$(addprefix $(BUILD)/efi/,$$(notdir $$($(1)_SOURCES:.c=.o))) $(EFI_COMMON_OBJECTS) $(FLAGS_FILE)
	$(LD) $(EFI_LDFLAGS) $(EFI_CRT0) $$(filter %.o,$$^) -o $$@ $(EFI_LIBS)
$(BUILD)/$(1).dis: $(BUILD)/$(1).so
	$(OBJDUMP) -d -S -M intel --no-show-raw-insn $$< > $$@
$(BUILD)/$(1).efi: $(BUILD)/$(1).so $(FLAGS_FILE)
	$(OBJCOPY) $(EFI_SECTIONS) --target efi-app-x86_64 \
	    --subsystem=$(EFI_SUBSYSTEM_APPLICATION) $$< $$@
	@echo "$(1).efi: $$$$(stat -c %s $$@) bytes"
endef
$(foreach app,$(EFI_APPS),$(eval $(call efi_app_rules,$(app))))
all: $(EFI_APPS:%=$(BUILD)/%.dis)

# build/NAME.efi from /usr/lib/ipxe/qemu/efi-NAME.rom (Debian's ipxe-qemu): the
# ROM is a chain of PCI expansion ROM images, one of them a UEFI driver for the
# NIC; option_rom.py walks the chain's headers and writes that driver out.
IPXE_ROM_DIR := /usr/lib/ipxe/qemu
$(BUILD)/%.efi: $(IPXE_ROM_DIR)/efi-%.rom | $(BUILD)
	$(HARNESS) -m bootcamp.option_rom $< $@

$(ESP_IMAGE): $(BUILD)/$(firstword $(EFI_APPS)).efi $(ESP_FILES) $(FLAGS_FILE)
	$(HARNESS) -m bootcamp.esp $@ $< $(ESP_FILES)

-include $(wildcard $(BUILD)/efi/*.d $(BUILD)/efi/common/*/*.d)

# debug.c prints the command that loads the symbols; it names the real file.
$(BUILD)/efi/debug.o: EFI_CFLAGS += -DEFI_SYMBOL_FILE='L"build/$(firstword $(EFI_APPS)).so"'

# make debug boots a second ESP that also holds gdb-wait.txt: a program that
# calls debug_announce() (common/efi/debug.h) then writes its image base to the
# debug port and waits; common/gdb/uefi.gdb reads the base, loads the symbols
# of build/NAME.so there and lets it go on.
DEBUG_ESP_IMAGE ?= $(BUILD)/esp-debug.img
DEBUG_WAIT_FILE := $(BUILD)/gdb-wait.txt

$(DEBUG_WAIT_FILE): | $(BUILD)
	echo "The program waits for gdb when this file is on its boot volume (make debug)." > $@

$(DEBUG_ESP_IMAGE): $(BUILD)/$(firstword $(EFI_APPS)).efi $(ESP_FILES) $(DEBUG_WAIT_FILE) $(FLAGS_FILE)
	$(HARNESS) -m bootcamp.esp $@ $(filter-out $(FLAGS_FILE),$^)

debug: RUN_IMAGE := $(DEBUG_ESP_IMAGE)
debug: $(DEBUG_ESP_IMAGE)
