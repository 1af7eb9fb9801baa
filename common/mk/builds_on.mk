# How one chapter builds on earlier ones: a single declared line in its Makefile,
#
#   BUILDS_ON := ch02-hello ch03-disk-load
#
# set before the chapter includes its rules (bios.mk, loader.mk, kernel.mk,
# efi.mk). The rules turn it into search paths, so the earlier chapter's files
# are used where they are, never copied and never named by a ../chNN path:
#   BUILDS_ON_DIRS      the earlier chapters' folders (absolute)
#   BUILDS_ON_NASM_INC  -I for NASM's %include (print16.inc, disk16.inc ...)
#   BUILDS_ON_CC_INC    -I for C's #include (shell.h ...)
#   vpath               make finds their .asm and .c files (headers and .inc
#                       files are found by the compilers' -I; a vpath for them
#                       would also find an earlier chapter's build/ outputs)
# and includes each one's provides.mk, if it has one: the chapter says there
# what a later chapter may take from it (ch06-uefi/provides.mk: the shell's
# source files).
#
# A chapter may only build on chapters before it; the build stops otherwise.
# Included by tools.mk, so every chapter's rules see these variables.

# The last part of the folder's path (notdir would split a path with a space).
THIS_CHAPTER := $(lastword $(subst /, ,$(CURDIR)))
chapter_number = $(patsubst ch%,%,$(firstword $(subst -, ,$(1))))

BUILDS_ON_DIRS := $(addprefix $(ROOT)/,$(BUILDS_ON))

$(foreach ch,$(BUILDS_ON),\
  $(if $(wildcard $(ROOT)/$(ch)/Makefile),,\
    $(error $(THIS_CHAPTER) builds on $(ch), which is not a chapter folder of this course))\
  $(if $(filter ch%,$(THIS_CHAPTER)),\
    $(if $(shell test $(call chapter_number,$(ch)) -lt $(call chapter_number,$(THIS_CHAPTER)) && echo yes),,\
      $(error $(THIS_CHAPTER) builds on $(ch): a chapter may only build on the chapters before it))))

BUILDS_ON_NASM_INC := $(foreach d,$(BUILDS_ON_DIRS),-I$(d)/)
BUILDS_ON_CC_INC   := $(foreach d,$(BUILDS_ON_DIRS),-I$(d))

# The chapter's own folder first (make looks there before any vpath), then
# the chapters it builds on, nearest first.
ifneq ($(BUILDS_ON),)
vpath %.asm $(BUILDS_ON_DIRS)
vpath %.c   $(BUILDS_ON_DIRS)
endif

# Assembly includes a change to which must rebuild objects (NASM 2.16.01's -MD
# leaves %include files out: see bios.mk).
ASM_INCLUDES := $(wildcard *.inc $(addsuffix /*.inc,$(BUILDS_ON_DIRS)))

-include $(wildcard $(addsuffix /provides.mk,$(BUILDS_ON_DIRS)))
