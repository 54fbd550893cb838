# Benchmark helpers (sourced).
# median_time CMD... : median wall-clock seconds of 5 runs (output discarded).
median_time() {
  local i s e times=()
  for i in 1 2 3 4 5; do
    s=$(date +%s.%N); "$@" > /dev/null 2>&1; e=$(date +%s.%N)
    times+=("$(awk -v s="$s" -v e="$e" 'BEGIN { printf "%.3f", e - s }')")
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n 3p
}
# ratio A B : A / B with two decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
