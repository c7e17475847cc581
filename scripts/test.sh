#!/usr/bin/env bash
# The test command (README, .ci/run): installs dependencies, runs the whole suite, then the
# concurrency and streaming suites again under ThreadSanitizer and the engine suites under
# AddressSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
swift build --build-tests
swift test --skip-build
swift test --sanitize=thread --scratch-path .build-tsan --filter 'PIIScrubStreamTests|Streaming|Concurrency'
LSAN_OPTIONS="suppressions=$PWD/scripts/lsan.supp:print_suppressions=0" \
    swift test --sanitize=address --scratch-path .build-asan --filter 'PIIScrubTests|PIIScrubStreamTests|PIIScrubJSONTests'
