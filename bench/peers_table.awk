# peers_table.awk - bench/peers.sh's tables: reads the check file (workload server status
# bytes) then wrk_report.lua's lines ("workload server" labels, one per round) and prints, per
# workload run, the median over rounds of req/s, p50 and p99 for each server, then the ratios.
function median(key, n,   i, j, t, a) {
  for (i = 1; i <= n; i++) a[i] = vals[key, i]
  for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
  return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function add(key, v) { vals[key, ++cnt[key]] = v }
FILENAME ~ /sizes$/ { code[$1, $2] = $3; size[$1, $2] = $4; next }
{
  w = $1; s = $2
  add(w SUBSEP s SUBSEP "rate", $3)
  add(w SUBSEP s SUBSEP "p50", $6)
  add(w SUBSEP s SUBSEP "p99", $9)
  line = $0; sub(/.*errors: /, "", line); gsub(/[a-z,]/, "", line)
  split(line, e, " "); err[w, s] += e[1] + e[2] + e[3] + e[4] + e[5]
}
END {
  title["get"] = "GET one KtrlPlane resource"
  title["list"] = "GET list of 50 (limit=50)"
  title["create"] = "POST create, durable"
  name["hangar"] = "Hangar"; name["grpc-gateway"] = "grpc-gateway on our services"; name["limit"] = "limit"
  nw = split("get list create", ws, " "); ns = split("hangar grpc-gateway limit", ss, " ")
  for (i = 1; i <= nw; i++) {
    w = ws[i]
    if (!((w SUBSEP "hangar" SUBSEP "rate") in cnt)) continue
    printf "\n%s\n\n| server | status | answer bytes | req/s | p50 ms | p99 ms | errors |\n|---|---|---|---|---|---|---|\n", title[w]
    for (j = 1; j <= ns; j++) {
      s = ss[j]
      rate[s] = median(w SUBSEP s SUBSEP "rate", cnt[w SUBSEP s SUBSEP "rate"])
      p99[s] = median(w SUBSEP s SUBSEP "p99", cnt[w SUBSEP s SUBSEP "p99"])
      printf "| %s | %s | %s | %.0f | %.2f | %.2f | %d |\n", name[s], code[w, s], size[w, s],
        rate[s], median(w SUBSEP s SUBSEP "p50", cnt[w SUBSEP s SUBSEP "p50"]), p99[s], err[w, s]
    }
    printf "\n| ratio | req/s | p99 |\n|---|---|---|\n"
    printf "| Hangar ÷ limit | %.3f | %.2f |\n", rate["hangar"] / rate["limit"], p99["hangar"] / p99["limit"]
    printf "| grpc-gateway ÷ limit | %.3f | %.2f |\n", rate["grpc-gateway"] / rate["limit"], p99["grpc-gateway"] / p99["limit"]
    printf "| Hangar ÷ grpc-gateway | %.3f | %.2f |\n", rate["hangar"] / rate["grpc-gateway"], p99["hangar"] / p99["grpc-gateway"]
  }
}