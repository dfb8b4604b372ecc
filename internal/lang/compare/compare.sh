#!/bin/sh
# Measures each candidate in its own process (lingua keeps its models in package state).
cd "$(dirname "$0")"
for i in 0 1 2 3 4; do DETECTOR=$i go test -count=1 -run TestReport -v . | grep -E '^\||<!--'; done
