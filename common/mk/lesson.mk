# What every lesson gives the learner besides its build: included by chapter.mk.
#
#   make check EX=N    run the check of exercise N on your own attempt
#                      (tests/exercises/check_exN.py; make test never runs these)
#   make check         every exercise's check, one line each
#   make pictures      pictures/CHAPTER.png: the screen the lesson ends with,
#                      from QEMU's screendump of the real build (PICTURE_OPTIONS
#                      adds e.g. --autorun to run a command first)
#   make usb DEVICE=/dev/sdX   write USB_IMAGE to a USB stick, after checks and a
#                      question (common/mk/usb.sh says what it refuses)

USB_IMAGE      ?= $(RUN_IMAGE)
PICTURE_OPTIONS ?=
EXERCISES      := $(sort $(wildcard tests/exercises/check_ex*.py))

.PHONY: check pictures usb

check: all
	@$(DOCTOR) --quiet
	@$(if $(EX),test -f tests/exercises/check_ex$(EX).py || \
	    { echo "check: there is no exercise $(EX) here; the checks are:" \
	      $(patsubst tests/exercises/check_ex%.py,%,$(EXERCISES)) >&2; exit 1; })
	$(HARNESS) -m pytest -p bootcamp.plugin -q -rfEs -p no:cacheprovider \
	    $(if $(EX),tests/exercises/check_ex$(EX).py,$(or $(EXERCISES),tests/exercises))

pictures: all
	@$(DOCTOR) --quiet
	$(HARNESS) -m bootcamp.pictures $(CURDIR) $(PICTURE_OPTIONS)

usb: all
	@test -n "$(DEVICE)" || { echo "usb: say which device: make usb DEVICE=/dev/sdX" \
	    "(lsblk lists them; plug the stick in and look for the new one)" >&2; exit 1; }
	$(COMMON)/mk/usb.sh $(USB_IMAGE) $(DEVICE)
