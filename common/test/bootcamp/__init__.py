"""bootcamp's test harness: boot an image in QEMU or Bochs and check what the learner sees."""

from .emulators import Spec
from .machine import Bochs, BootError, Exit, Machine, Qemu, Registers
from .screen import Picture, Screen

__all__ = ["Spec", "Machine", "Qemu", "Bochs", "BootError", "Exit", "Registers", "Screen", "Picture"]
