# Rules for chapters with a kernel in C that GRUB boots from an ISO (ch04, ch05).
#
# A chapter sets, then includes this file:
#   KERNEL_ARCH     i386 (32-bit protected mode) or x86_64 (64-bit long mode)
#   KERNELS         names: build/NAME.elf (ELF with symbols) and build/NAME.iso for each
#   KERNEL_SOURCES  the chapter's own .c and .asm files, linked into every kernel
#                   (found in the chapter or in tests/)
#   KERNEL_COMMON   files under common/ linked into every kernel (lib/format.c ...)
#   KERNEL_ENTRY    (optional) the GRUB path's entry (.asm or .c), linked into every
#                   kernel after the above: kept apart from KERNEL_SOURCES when those
#                   are also linked elsewhere (ch05: into the loader's payload)
#   GRUB_CFG        the grub.cfg of every ISO (default: grub.cfg)
#   GDB_SCRIPT      (optional) make debug's gdb script (default: by KERNEL_ARCH,
#                   common/gdb/protected_mode.gdb or long_mode.gdb)
#   ISO_FILES       more files for the ISO's /boot (modules)
# and per kernel NAME, optionally:
#   tests/NAME.c or tests/NAME.asm  a test kernel's own misdeed: linked into that
#                   kernel only, found by its name (ch05's tests/fault_page.c)
#   NAME_OBJECTS    more objects for that kernel only (test variants)
#   NAME_HEADER     its Multiboot2 header object (default: the good one)
#   NAME_GRUB_CFG   its grub.cfg
#
# What gets built, for KERNEL_ARCH=i386:
#   build/i386/foo.o               each chapter source (foo.c, foo.asm)
#   build/common-i386/lib/x.o      each common source, one folder per architecture,
#                                  so 32- and 64-bit objects of one file never mix
# A chapter may also include loader.mk (ch05): include this file first, then
# loader.mk, whose payload can then hold the kernel's objects (KERNEL_OBJECTS).
# Its boot sector rules build build/NAME.o, which these folders keep apart from.
#   build/include/multiboot2.inc   NASM's copy of common/include/multiboot2.h
#   build/NAME.elf, .map, .dis     the kernel, its link map, its disassembly with source
#                                  (objdump's remarks in .dis.log: it finds fault with
#                                  the padding in NASM's 64-bit DWARF, harmlessly)
#   build/NAME.iso                 GRUB (BIOS) + boot/kernel.elf + grub.cfg + ISO_FILES;
#                                  its kernel.elf is build/NAME.elf without the DWARF
#                                  debug info (gdb reads build/NAME.elf)
#
# The Multiboot2 header (multiboot2_header.asm) is the ch04 lesson's: a kernel
# chapter after ch04 declares BUILDS_ON := ch04-multiboot to link it.

KERNEL_ARCH ?= i386
GRUB_CFG    ?= grub.cfg
MK_DIR      := $(dir $(lastword $(MAKEFILE_LIST)))
# From MK_DIR, taken now: MAKEFILE_LIST grows as chapter.mk includes more.
KERNEL_LD   ?= $(MK_DIR)multiboot2_kernel.ld
RUN_MEDIA   ?= cdrom
# make debug follows the CPU into the kernel's mode (chapter.mk's default is real mode).
GDB_SCRIPT  ?= $(COMMON)/gdb/$(if $(filter x86_64,$(KERNEL_ARCH)),long_mode,protected_mode).gdb
IMAGES      ?= $(KERNELS:%=build/%.iso)
DEBUG_SYMBOLS ?= build/$(firstword $(KERNELS)).elf
# make bench: GRUB ISOs boot through the BIOS, so in Bochs too.
BENCH_BOCHS ?= yes
# ...and GRUB loads the kernel: make bench reads them against the GRUB floor.
BENCH_FLOOR ?= grub

# loader.mk's payload rules take KERNEL_OBJECTS when they are read: after this file.
ifneq ($(filter %/loader.mk,$(MAKEFILE_LIST)),)
$(error include kernel.mk before loader.mk: the loader's payload may hold the kernel's objects)
endif
include $(MK_DIR)chapter.mk

# A kernel whose header check fails must not stay behind looking finished.
.DELETE_ON_ERROR:

# --- Architecture ------------------------------------------------------------
ifeq ($(KERNEL_ARCH),i386)
ARCH_CFLAGS  := -m32 -march=i686
NASM_FORMAT  := elf32
LD_EMULATION := elf_i386
else ifeq ($(KERNEL_ARCH),x86_64)
# System V ABI without the red zone: an interrupt pushes its frame right below
# RSP, over the 128 bytes a leaf function may use without moving RSP.
# The kernel runs identity-mapped below 2 GiB, which is the small code model;
# -mcmodel=kernel is for kernels linked in the top 2 GiB (0xFFFFFFFF80000000).
ARCH_CFLAGS  := -m64 -mno-red-zone -mcmodel=small
NASM_FORMAT  := elf64
LD_EMULATION := elf_x86_64
else
$(error KERNEL_ARCH must be i386 or x86_64, not $(KERNEL_ARCH))
endif

# Freestanding: no C library, no start-up files, no stack protector (it needs
# a C library's canary), no position-independent code (the kernel runs where
# it is linked), no floating point or SSE registers (nothing has set them up;
# 64-bit code would otherwise use SSE for struct copies). ld is called
# directly, so no C library or start-up file is ever linked (gcc's -nostdlib).
KERNEL_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
    -fno-asynchronous-unwind-tables -fno-omit-frame-pointer -mgeneral-regs-only \
    -Wall -Wextra -Werror -MMD -MP \
    -I$(COMMON)/include -I$(BUILD)/include $(BUILDS_ON_CC_INC) $(CFLAGS_DEFS) $(ARCH_CFLAGS) $(CFLAGS)
# Expanded when used (=, not :=): loader.mk, included after this file (ch05),
# adds -DLOAD_ADDRESS and -DLOAD_LIMIT to NASMFLAGS.
KERNEL_NASMFLAGS = -f $(NASM_FORMAT) -g -F dwarf $(NASMFLAGS_WARN) $(NASMFLAGS_INC) \
    -I$(BUILD)/include/ $(NASMFLAGS)
# -n (nmagic): sections follow each other in the file without page alignment,
# so the header lands a few dozen bytes in (see the ch04 lesson). The segment
# permission notes are for programs run by an OS; a kernel has none to obey.
LD_NMAGIC ?= -n
KERNEL_LDFLAGS := -m $(LD_EMULATION) $(LD_NMAGIC) --fatal-warnings --no-warn-rwx-segments -z noexecstack \
    $(LDFLAGS)

OBJ        := $(BUILD)/$(KERNEL_ARCH)
OBJ_COMMON := $(BUILD)/common-$(KERNEL_ARCH)
GENERATED_INCLUDES := $(BUILD)/include/multiboot2.inc
# The Multiboot2 header is chapter 4's (multiboot2_header.asm): ch04 builds it
# from its own folder, later kernels through BUILDS_ON := ch04-multiboot.
MB2_HEADER        := $(OBJ)/multiboot2_header.o
MB2_HEADER_BROKEN := $(OBJ)/multiboot2_header_broken.o
# For the wrong-magic tests: a Multiboot 1 header, and a grub.cfg that uses it.
MB1_HEADER        := $(OBJ_COMMON)/boot/multiboot1_header.o
MB1_GRUB_CFG      := $(COMMON)/boot/grub-multiboot1.cfg
MB2_CHECK   := $(MK_DIR)multiboot2_check.sh
GRUB_MKRESCUE ?= grub-mkrescue
# BIOS GRUB only: the course boots these ISOs through the BIOS.
GRUB_PLATFORM ?= /usr/lib/grub/i386-pc
# The GRUB modules on the ISO (and what they need): the two Multiboot loaders,
# the menu, and ls and cat to look around from GRUB's command line (press c).
# All 300 modules would make each ISO three times the size and slower to build.
# At start-up GRUB loads every partition map that partmap.lst names (eleven,
# some 20 KiB in all) to be able to read any disk, and prints "error: file
# `/boot/grub/i386-pc/part_....mod' not found." for each one the ISO lacks:
# so the ISO has them all, read from that list rather than typed here.
GRUB_PARTITION_MAPS := $(shell cat $(GRUB_PLATFORM)/partmap.lst 2>/dev/null)
GRUB_MODULES ?= multiboot2 multiboot normal ls cat $(GRUB_PARTITION_MAPS)

object_of = $(if $(filter $(COMMON)/%,$(1)),$(OBJ_COMMON)/$(basename $(1:$(COMMON)/%=%)).o,$(OBJ)/$(basename $(notdir $(1))).o)
KERNEL_OBJECTS := $(foreach s,$(KERNEL_SOURCES),$(call object_of,$(s))) \
                  $(foreach s,$(KERNEL_COMMON),$(call object_of,$(COMMON)/$(s)))
KERNEL_ENTRY_OBJECTS := $(foreach s,$(KERNEL_ENTRY),$(call object_of,$(s)))
# A test kernel's own source, if tests/ has one by its name.
test_object_of = $(foreach s,$(firstword $(wildcard tests/$(1).c tests/$(1).asm)),$(call object_of,$(s)))

vpath %.c . tests
vpath %.asm . tests

# --- Compiling -----------------------------------------------------------------
$(BUILD)/include/%.inc: $(COMMON)/include/%.h $(MK_DIR)h2inc.sh $(FLAGS_FILE) | $(BUILD)
	@mkdir -p $(@D)
	CC=$(CC) $(MK_DIR)h2inc.sh $< MB2_ > $@

$(OBJ)/%.o: %.c $(FLAGS_FILE)
	@mkdir -p $(@D)
	$(CC) $(KERNEL_CFLAGS) -c $< -o $@

# NASM 2.16.01 leaves %include files out of what -MD writes (see bios.mk): a
# chapter's .asm objects also depend on every .inc it and its BUILDS_ON have
# (ASM_INCLUDES), so that a change to ch05's gdt.inc rebuilds long_mode.o.
$(OBJ)/%.o: %.asm $(GENERATED_INCLUDES) $(ASM_INCLUDES) $(FLAGS_FILE)
	@mkdir -p $(@D)
	$(NASM) $(KERNEL_NASMFLAGS) -MD $(OBJ)/$*.d -l $(OBJ)/$*.lst -o $@ $<

$(OBJ_COMMON)/%.o: $(COMMON)/%.c $(FLAGS_FILE)
	@mkdir -p $(@D)
	$(CC) $(KERNEL_CFLAGS) -c $< -o $@

$(OBJ_COMMON)/%.o: $(COMMON)/%.asm $(GENERATED_INCLUDES) $(FLAGS_FILE)
	@mkdir -p $(@D)
	$(NASM) $(KERNEL_NASMFLAGS) -MD $(@:.o=.d) -l $(@:.o=.lst) -o $@ $<

# The same header with a checksum one off, for the test that GRUB refuses it.
$(MB2_HEADER_BROKEN): multiboot2_header.asm $(GENERATED_INCLUDES) $(ASM_INCLUDES) $(FLAGS_FILE)
	@mkdir -p $(@D)
	$(NASM) $(KERNEL_NASMFLAGS) -DBROKEN_CHECKSUM -MD $(@:.o=.d) -l $(@:.o=.lst) -o $@ $<

# --- Linking, one kernel at a time ----------------------------------------------
define kernel_rules
$(BUILD)/$(1).elf: $(or $($(1)_HEADER),$(MB2_HEADER)) $(KERNEL_OBJECTS) $(KERNEL_ENTRY_OBJECTS) \
    $(call test_object_of,$(1)) $($(1)_OBJECTS) $(KERNEL_LD) $(FLAGS_FILE)
	$(LD) $(KERNEL_LDFLAGS) -T $(KERNEL_LD) -Map $(BUILD)/$(1).map -o $$@ $$(filter %.o,$$^)
	@$(OBJDUMP) -d -S -M intel $$@ > $(BUILD)/$(1).dis 2> $(BUILD)/$(1).dis.log
	@OBJDUMP=$(OBJDUMP) $(MB2_CHECK) $$@
	@size $$@ | awk 'NR == 2 { printf "$(1).elf: %d bytes of code, %d of data, %d of bss\n", $$$$1, $$$$2, $$$$3 }'

# GRUB copies every section that is not loaded into memory for the ELF
# sections tag (type 9), the DWARF debug info too (some 40-60 KiB, read from
# the CD): a few percent of a boot in Bochs. The ISO's copy keeps its symbol
# table (.symtab) and leaves the debug info to gdb, which reads build/NAME.elf.
$(BUILD)/$(1).iso: $(BUILD)/$(1).elf $(or $($(1)_GRUB_CFG),$(GRUB_CFG)) $(ISO_FILES) $(MK_DIR)kernel.mk \
    $(FLAGS_FILE)
	@rm -rf $(BUILD)/$(1).isodir
	@mkdir -p $(BUILD)/$(1).isodir/boot/grub
	$(OBJCOPY) --strip-debug $(BUILD)/$(1).elf $(BUILD)/$(1).isodir/boot/kernel.elf
	cp $(or $($(1)_GRUB_CFG),$(GRUB_CFG)) $(BUILD)/$(1).isodir/boot/grub/grub.cfg
	$(if $(ISO_FILES),cp $(ISO_FILES) $(BUILD)/$(1).isodir/boot/)
	@$(GRUB_MKRESCUE) -d $(GRUB_PLATFORM) --fonts= --locales= --themes= \
	    --install-modules="$(GRUB_MODULES)" \
	    -o $$@ $(BUILD)/$(1).isodir > $(BUILD)/$(1).iso.log 2>&1 \
	    || { cat $(BUILD)/$(1).iso.log >&2; exit 1; }
	@echo "$(1).iso: $$$$(stat -c %s $$@) bytes"
endef
$(foreach k,$(KERNELS),$(eval $(call kernel_rules,$(k))))

-include $(wildcard $(OBJ)/*.d $(OBJ_COMMON)/*/*.d)
