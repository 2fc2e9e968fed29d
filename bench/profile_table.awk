# profile_table.awk - bench/profile.sh: one process's callgrind_annotate output as instructions
# per request (r requests): the program's total, then by library and the `top` costliest
# functions. A dump taken mid-run reports the functions at the base of each thread's stack with
# their callees' cost as their own (clone, start_thread, the event loops, and gpr's unnamed
# thread body in libgpr): those are left out of the breakdown, whose sum is then the total.
/PROGRAM TOTALS/ {
  program = $1
  gsub(",", "", program)
  program += 0
  next
}
/^ *[0-9,]+ +\([ 0-9.]+%\) +[^ ]/ {
  cost = $1
  gsub(",", "", cost)
  cost += 0
  line = $0
  sub(/^ *[0-9,]+ +\([ 0-9.]+%\) +/, "", line)
  if (line ~ /(clone\.S:clone|start_thread|loop_main|client_thread|cq_thread|side_thread|rpc__cq_poll|writer_main) /) next
  if (line ~ /^\?\?\?:0x[0-9a-f]+ \[.*libgpr/ && cost > program / 20) next
  lib = "main program"
  if (match(line, /\[[^]]*\]$/)) {
    lib = substr(line, RSTART + 1, RLENGTH - 2)
    n = split(lib, parts, "/")
    lib = parts[n]
    line = substr(line, 1, RSTART - 2)
  }
  by_lib[lib] += cost
  total += cost
  fn[++nf] = line
  fc[nf] = cost
}
END {
  printf "%s: %.0f instructions per request (%.0f in the breakdown)\n", name, program / r, total / r
  for (l in by_lib) printf "  %8.0f  %5.1f%%  %s\n", by_lib[l] / r, 100 * by_lib[l] / total, l | "sort -rn"
  close("sort -rn")
  for (i = 1; i <= nf && i <= top; i++)
    printf "    %8.0f  %s\n", fc[i] / r, substr(fn[i], length(fn[i]) > 110 ? length(fn[i]) - 109 : 1)
}
