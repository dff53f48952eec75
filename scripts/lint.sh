#!/usr/bin/env bash
# lint.sh: swift-format lint (--strict) of Sources, Tests and Package.swift against .swift-format; CI runs it.
#
# The rules only: swift-format 6.3 has no setting that silences its pretty-printer findings (Indentation,
# AddLines, LineLength, Spacing, TrailingComma, ...; swiftlang/swift-format#764, #964), and the code's
# continuation lines aligned under their opening parentheses can match that printer under no setting, so
# the lint runs with swift-format's hidden --debug-disable-pretty-print flag (there since 2020). Line length
# and indentation are therefore not checked; `swift format format` would re-indent the code, don't run it.
#
# Rules .swift-format turns off, each because the code follows another convention:
#   AllPublicDeclarationsHaveDocumentation, BeginDocumentationCommentWithOneLineSummary,
#   ValidateDocumentationComments: doc comments are prose, not one-line summaries with DocC sections
#   AlwaysUseLowerCamelCase: case names spell torchvision's (vgg11_bn, squeezenet1_0) and JSON keys (mtime_ns)
#   DoNotUseSemicolons: short compound bodies on one line (`if case .x = $0 { return true }; return false`)
#   OneVariableDeclarationPerLine: numeric code binds several values at once (`let n = a.count, s = b.size`)
#   UseLetInEveryBoundCaseVariable: the code writes `case let .x(a, b)`
#   OrderedImports: @testable imports are sorted by module name with the others
#   OneCasePerLine: short raw-value enums list their cases on one line
#   NoBlockComments, NoAccessLevelOnExtensionDeclaration, ReplaceForEachWithForLoop,
#   OnlyOneTrailingClosureArgument, AlwaysUseLiteralForEmptyCollectionInit: a few deliberate uses each
#   NoAssignmentInExpressions: misreads SIMD `.|` (unknown to its operator table) as a nested assignment
#   UseWhereClausesInForLoops: opt-in and experimental upstream
set -euo pipefail
cd "$(dirname "$0")/.."

paths=(Sources Tests Package.swift)
# swift-format --recursive skips hidden files and directories and does not follow symbolic links.
files=$(( $(find Sources Tests -name '.*' -prune -o -type f -name '*.swift' -print | wc -l) + 1 ))

status=0
output=$(swift format lint --strict --debug-disable-pretty-print --parallel --configuration .swift-format \
    --recursive "${paths[@]}" 2>&1) || status=$?

if [ "$status" -eq 0 ] && [ -z "$output" ]; then
    echo "swift-format: $files files, no findings"
    exit 0
fi
# Findings sorted by file and line (--parallel prints them in any order), each once.
findings=$(printf '%s\n' "$output" | sort -t: -k1,1 -k2,2n -k3,3n -k4 -u)
printf '%s\n' "$findings" >&2
count=$(printf '%s\n' "$findings" | grep -c ': error: \[' || true)
if [ "$count" -gt 0 ]; then
    echo "swift-format: $files files, $count finding$([ "$count" -eq 1 ] || echo s)" >&2
else
    echo "swift-format: lint failed (exit status $status)" >&2
fi
if [ "$status" -eq 0 ]; then status=1; fi
exit "$status"
