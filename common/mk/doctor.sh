#!/usr/bin/env bash
# make doctor: check every tool and firmware file the course uses.
#
#   doctor.sh           report each check, install what is missing when root
#   doctor.sh --quiet   say nothing when all is well (make run/test start with it)
#   doctor.sh --check   report only; never install, even as root
#
# Each need is: a check (a command on PATH, a command Debian keeps in an sbin
# folder, a file, a folder, a Python module, or a library that gcc -m32 or
# clang finds, wherever its version put it), the Debian/Ubuntu package that
# provides it, and what the course uses it for.
set -u

quiet=0 install=1
for arg in "$@"; do
    case $arg in
        --quiet) quiet=1 ;;
        --check) install=0 ;;
        *) echo "usage: doctor.sh [--quiet] [--check]" >&2; exit 2 ;;
    esac
done

# Debian's python3, where pytest lives (a pyenv or venv python3 may lack it).
python=/usr/bin/python3
[ -x "$python" ] || python=python3

#        kind   what                                   package              used for
needs=(
    "cmd    nasm                                   nasm                 assembling boot code"
    "cmd    gcc                                    gcc                  compiling kernels and UEFI programs"
    "cmd    ld                                     binutils             linking"
    "cmd    objcopy                                binutils             raw images from ELF files"
    "cmd    make                                   make                 building"
    "cmd    qemu-system-x86_64                     qemu-system-x86      running every chapter"
    "cmd    qemu-img                               qemu-utils           disk images"
    "cmd    bochs                                  bochs                running chapters in Bochs"
    "file   /usr/share/bochs/BIOS-bochs-latest     bochsbios            Bochs's BIOS"
    "file   /usr/share/vgabios/vgabios.bin         vgabios              Bochs's VGA BIOS"
    "file   /usr/lib/x86_64-linux-gnu/bochs/plugins/libbx_term_gui.so bochs-term make run-bochs in a terminal"
    "cmd    grub-mkrescue                          grub-common          bootable ISOs (ch04, ch05)"
    "dir    /usr/lib/grub/i386-pc                  grub-pc-bin          GRUB for BIOS machines"
    "dir    /usr/lib/grub/x86_64-efi               grub-efi-amd64-bin   GRUB for UEFI machines"
    "cmd    xorriso                                xorriso              writing ISO images"
    "cmd    mformat                                mtools               FAT images without root"
    "sbin   sfdisk                                 fdisk                partition tables (ch03)"
    "file   /usr/share/OVMF/OVMF_CODE_4M.fd        ovmf                 UEFI firmware for QEMU"
    "file   /usr/share/ovmf/OVMF.fd                ovmf                 UEFI firmware for Bochs"
    "file   /usr/include/efi/efi.h                 gnu-efi              UEFI headers and start-up code"
    "dir    /usr/lib/ipxe/qemu                     ipxe-qemu            the network-boot floor (ch07 bench)"
    "cmd    curl                                   curl                 a real HTTP client against the ch07 server"
    "file   /usr/lib/ipxe/qemu/efi-e1000.rom       ipxe-qemu            the e1000 driver on ch07's ESP (Bochs)"
    "cmd    gdb                                    gdb                  make debug"
    "py     pytest                                 python3-pytest       the tests"
    "py     xdist                                  python3-pytest-xdist running tests on every core"
    "cmd    gnuplot                                gnuplot-nox          the make bench chart"
    "cmd    bwrap                                  bubblewrap           make grade-all: each submission in a sandbox"
    "cc32   libasan.so                             gcc-multilib         32-bit host builds of the i386 code (tests, fuzz replay)"
    "cmd    clang                                  clang                make fuzz (libFuzzer)"
    "clang  libclang_rt.fuzzer-x86_64.a            libclang-rt-14-dev   make fuzz: libFuzzer and the sanitizers' runtimes"
    "cc32   libstdc++.so                           g++-multilib         make fuzz: 32-bit libFuzzer (it is C++)"
    "cmd    qemu-i386                              qemu-user            32-bit test programs where the kernel cannot run them"
)

# Debian installs some tools the course uses (sfdisk) in /usr/sbin, which is
# on root's PATH but not on a normal user's; the make rules call them there by
# their full path (loader.mk's SFDISK), so that is where to look for them too.
sbin_dirs=(/usr/sbin /sbin)

missing_packages=()
problems=()
say() { [ "$quiet" = 1 ] || echo "$@"; }

# Whether $1 is (or links to) a 32-bit ELF file.
elf32() {
    local file
    file=$(readlink -f -- "$1") && [ -f "$file" ] \
        && [ "$(od -An -tx1 -j4 -N1 -- "$file" 2>/dev/null | tr -d ' ')" = 01 ]
}

check() {
    local kind=$1 what=$2
    case $kind in
        cmd)  command -v "$what" >/dev/null 2>&1 ;;
        sbin) command -v "$what" >/dev/null 2>&1 \
                  || for dir in "${sbin_dirs[@]}"; do [ -x "$dir/$what" ] && break; done ;;
        file) [ -f "$what" ] ;;
        dir)  [ -d "$what" ] ;;
        # Found, not imported: importing pytest or xdist takes most of a
        # second, and every make run and make test starts with this check.
        py)   "$python" -c "import importlib.util as u, sys; sys.exit(u.find_spec('$what') is None)" \
                  >/dev/null 2>&1 ;;
        # -print-file-name answers the bare name when it finds nothing, and
        # without gcc-multilib, gcc -m32 finds the 64-bit library: only a
        # 32-bit ELF file (class byte 1) will do.
        cc32)  elf32 "$(gcc -m32 -print-file-name="$what" 2>/dev/null)" ;;
        clang) [ -f "$(clang -print-file-name="$what" 2>/dev/null)" ] ;;
    esac
}

run_checks() {
    missing_packages=() problems=()
    local line kind what package purpose
    for line in "${needs[@]}"; do
        read -r kind what package purpose <<<"$line"
        if check "$kind" "$what"; then
            say "  ok       $what"
        else
            say "  MISSING  $what  ($purpose) -- package $package"
            problems+=("$what ($purpose): in package $package")
            case " ${missing_packages[*]} " in *" $package "*) ;; *) missing_packages+=("$package") ;; esac
        fi
    done
}

version_warnings() {
    # Versions known to misbehave with what the course does.
    local v
    if command -v nasm >/dev/null 2>&1; then
        v=$(nasm -v | sed -n 's/^NASM version \([0-9]*\.[0-9]*\).*/\1/p')
        if [ -n "$v" ] && [ "$(printf '%s\n' 2.15 "$v" | sort -V | head -n1)" != 2.15 ]; then
            echo "warning: NASM $v is older than 2.15: -w+error and some warnings the build uses are missing" >&2
        fi
    fi
    if command -v qemu-system-x86_64 >/dev/null 2>&1; then
        v=$(qemu-system-x86_64 --version | sed -n 's/^QEMU emulator version \([0-9]*\.[0-9]*\).*/\1/p')
        if [ -n "$v" ] && [ "$(printf '%s\n' 6.2 "$v" | sort -V | head -n1)" != 6.2 ]; then
            echo "warning: QEMU $v is older than 6.2: the harness's monitor commands may differ" >&2
        fi
    fi
    if command -v bochs >/dev/null 2>&1; then
        v=$(dpkg-query -W -f='${Version}' bochs 2>/dev/null | sed 's/[+~-].*//')
        if [ -n "$v" ] && [ "${v%%.*}.${v#*.}" != "2.7" ] && [ "${v#2.}" = "$v" ]; then
            echo "warning: Bochs $v: the tests drive Bochs 2.7's debugger; other versions may answer differently" >&2
        fi
    fi
}

say "Checking what bootcamp needs:"
run_checks

if [ ${#missing_packages[@]} -gt 0 ] && [ "$install" = 1 ] && [ "$(id -u)" = 0 ] \
   && command -v apt-get >/dev/null 2>&1; then
    echo "Installing as root: ${missing_packages[*]}"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y --no-install-recommends "${missing_packages[@]}"; then
        apt-get update && apt-get install -y --no-install-recommends "${missing_packages[@]}"
    fi
    quiet=1 run_checks
fi

version_warnings

if [ ${#missing_packages[@]} -gt 0 ]; then
    echo "bootcamp cannot run yet; missing:" >&2
    for p in "${problems[@]}"; do echo "  - $p" >&2; done
    echo "Fix: sudo apt-get install ${missing_packages[*]}" >&2
    exit 1
fi
say "All set."
