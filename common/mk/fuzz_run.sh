#!/usr/bin/env bash
# fuzz_run.sh: run one libFuzzer program, and sum up the runs (common/mk/fuzz.mk).
#
#   fuzz_run.sh run DIR NAME BUILD SECONDS INPUT_SECONDS KEPT_CORPUS
#       run DIR/NAME-BUILD for SECONDS, seeded with KEPT_CORPUS; record the result
#   fuzz_run.sh unbuilt DIR NAME BUILD
#       the program did not build: MemorySanitizer is optional, the others are not
#   fuzz_run.sh summary DIR NAME...
#       one line per run; exit 1 if any run found something or did not happen
#
# Each run leaves DIR/NAME-BUILD.result: "ok", "skipped REASON", "unbuilt LOG"
# or "finding FILE LOG".
set -u

QEMU_USER_I386=qemu-i386

mode=$1
shift
case $mode in
run)
    dir=$1 name=$2 build=$3 seconds=$4 input_seconds=$5 kept=$6
    program=$dir/$name-$build
    log=$dir/$name-$build.log
    findings=$dir/findings/$name-$build
    result=$dir/$name-$build.result
    mkdir -p "$findings" "$dir/corpus/$name"
    corpora=("$dir/corpus/$name")
    [ -d "$kept" ] && corpora+=("$kept")
    # A 32-bit program on a kernel without IA32 emulation: the shell cannot
    # start it (126, "Exec format error"). qemu-i386 can run it, but libFuzzer
    # itself does not survive there (a floating-point exception inside its
    # corpus weighting, on an empty input), so on such a kernel the 32-bit
    # build replays every input the other runs found interesting: the 64-bit
    # fuzzer explores, the i386 build of the same code is checked on all of it.
    # (LeakSanitizer stops threads with ptrace, which qemu-user lacks: off.)
    if [ "$build" = 32 ]; then
        "$program" -help=1 >/dev/null 2>&1
        if [ $? = 126 ]; then
            if ! command -v "$QEMU_USER_I386" >/dev/null; then
                echo "fuzz: $name ($build-bit): this kernel cannot run 32-bit programs and" \
                     "$QEMU_USER_I386 is missing: make doctor (package qemu-user)" >&2
                echo "unbuilt (no way to run a 32-bit program)" > "$result"
                exit 0
            fi
            inputs=$(find "${corpora[@]}" -type f | wc -l)
            echo "fuzz: $name ($build) replays $inputs inputs under $QEMU_USER_I386" \
                 "(this kernel runs no 32-bit libFuzzer) ..."
            if ASAN_OPTIONS=detect_leaks=0 "$QEMU_USER_I386" "$dir/$name-replay-32" \
                   "${corpora[@]}" > "$log" 2>&1; then
                echo "fuzz: $name ($build): $(tail -n 1 "$log")"
                echo ok > "$result"
            else
                failed=$(sed -n 's/^replay: FAILED on //p' "$log" | head -n 1)
                echo "fuzz: $name ($build) FOUND A FAILURE: ${failed:-see $log}"
                grep -m 3 -E 'ERROR|runtime error|SUMMARY|HANG' "$log" | sed 's/^/    /'
                echo "    reproduce: $QEMU_USER_I386 $dir/$name-replay-32 ${failed:-FILE}"
                echo "    once fixed, keep it: cp ${failed:-FILE} $kept/"
                echo "finding ${failed:-(see log)} $log" > "$result"
            fi
            exit 0
        fi
    fi
    runner=()
    echo "fuzz: $name ($build) for $seconds s${runner:+ under ${runner[*]}} ..."
    before=$(ls "$findings" | wc -l)
    "${runner[@]}" "$program" -max_total_time="$seconds" -timeout="$input_seconds" \
        -artifact_prefix="$findings/" -print_final_stats=1 "${corpora[@]}" \
        > "$log" 2>&1
    status=$?
    finding=$(ls -t "$findings" | head -n 1)
    if [ $status = 0 ] && [ "$(ls "$findings" | wc -l)" = "$before" ]; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
        echo "fuzz: $name ($build): nothing found in ${runs:-?} runs"
        echo ok > "$result"
    elif [ -n "$finding" ]; then
        echo "fuzz: $name ($build) FOUND A FAILURE: $findings/$finding"
        grep -m 3 -E 'ERROR|runtime error|SUMMARY|timeout' "$log" | sed 's/^/    /'
        echo "    reproduce: ${runner[*]:+${runner[*]} }$program $findings/$finding"
        echo "    once fixed, keep it: cp $findings/$finding $kept/"
        echo "finding $findings/$finding $log" > "$result"
    else
        echo "fuzz: $name ($build) stopped with status $status and no input to show: see $log"
        echo "finding (none) $log" > "$result"
    fi
    ;;
unbuilt)
    dir=$1 name=$2 build=$3
    log=$dir/$name-$build.build.log
    if [ "$build" = msan ]; then
        echo "fuzz: $name (msan): MemorySanitizer does not build it here; skipped (see $log)"
        echo "skipped (MemorySanitizer build failed: $log)" > "$dir/$name-$build.result"
    else
        echo "fuzz: $name ($build): the fuzzer did not build:" >&2
        tail -n 5 "$log" | sed 's/^/    /' >&2
        echo "    (clang and libclang-rt-14-dev, and gcc-multilib for 32 bits: make doctor)" >&2
        echo "unbuilt $log" > "$dir/$name-$build.result"
    fi
    ;;
summary)
    dir=$1
    shift
    failed=0
    echo "fuzz summary ($(basename "$PWD")):"
    for name in "$@"; do
        found=0
        for result in "$dir/$name"-*.result; do
            [ -f "$result" ] || continue
            found=1
            build=${result##*/$name-}
            build=${build%.result}
            read -r verdict rest < "$result"
            printf '  %-20s %-5s %s %s\n' "$name" "$build" "$verdict" "$rest"
            case $verdict in ok|skipped) ;; *) failed=1 ;; esac
        done
        if [ $found = 0 ]; then
            printf '  %-20s did not run\n' "$name"
            failed=1
        fi
    done
    exit $failed
    ;;
*)
    echo "usage: fuzz_run.sh run|unbuilt|summary ..." >&2
    exit 2
    ;;
esac
