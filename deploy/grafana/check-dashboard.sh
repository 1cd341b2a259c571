#!/usr/bin/env bash
# Checks every PromQL expression of the soaklab Grafana dashboard against a real Prometheus.
#
#   deploy/grafana/check-dashboard.sh PROMETHEUS_URL [TIME] [DASHBOARD_JSON]
#
#   PROMETHEUS_URL  e.g. http://127.0.0.1:9090
#   TIME            evaluation time for the instant queries (unix seconds or RFC 3339);
#                   default: now. Give a time inside a soak to see data after the soak ended
#                   (rates over a window with no samples answer empty, which is still valid).
#   DASHBOARD_JSON  default: soaklab-dashboard.json beside this script.
#
# Each panel target's `expr` is sent to /api/v1/query after its template variables are replaced
# ($run and $server_job by '.*', $__rate_interval by $RATE_INTERVAL, default 1m; $__interval by 15s,
# $__range by 1h); each `label_values(METRIC, LABEL)` variable query is sent to
# /api/v1/label/LABEL/values. A line per query: ok with the number of series (empty is allowed: a
# server series is absent when no such server is scraped), or FAIL with Prometheus's error.
# Exits 1 if any query failed, 2 on bad usage. Needs curl and jq.
set -euo pipefail

if [[ $# -lt 1 || $# -gt 3 || "$1" == -h || "$1" == --help ]]; then
  sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
prom="${1%/}"
at="${2:-}"
dashboard="${3:-$(dirname "$0")/soaklab-dashboard.json}"
rate="${RATE_INTERVAL:-1m}"
for tool in curl jq; do
  command -v "$tool" >/dev/null || { echo "check-dashboard: needs $tool" >&2; exit 2; }
done
[[ -r "$dashboard" ]] || { echo "check-dashboard: cannot read $dashboard" >&2; exit 2; }

substitute() {
  sed -e 's/\${run}/.*/g; s/\$run/.*/g; s/\${server_job}/.*/g; s/\$server_job/.*/g' \
      -e "s/\\\$__rate_interval/$rate/g; s/\\\$__interval/15s/g; s/\\\$__range/1h/g"
}

failed=0
total=0
# Panels, rows' nested panels included: "title<TAB>expr" per target.
while IFS=$'\t' read -r title expr; do
  total=$((total + 1))
  query="$(printf '%s' "$expr" | substitute)"
  args=(--data-urlencode "query=$query")
  [[ -n "$at" ]] && args+=(--data-urlencode "time=$at")
  answer="$(curl -s --max-time 20 "${args[@]}" "$prom/api/v1/query" || echo '{"status":"curl failed"}')"
  status="$(jq -r '.status // "no answer"' <<<"$answer" 2>/dev/null || echo "not JSON")"
  if [[ "$status" == success ]]; then
    n="$(jq -r '.data.result | length' <<<"$answer")"
    value="$(jq -r '[.data.result[] | ((.metric | to_entries | map(.key + "=" + .value) | join(",")) + " " + .value[1])] | .[0:3] | join("; ")' <<<"$answer")"
    printf 'ok    %-45s %2s series  %s\n' "$title" "$n" "$value"
    printf '      %s\n' "$query"
  else
    failed=$((failed + 1))
    printf 'FAIL  %-45s %s: %s\n' "$title" "$status" "$(jq -r '.error // empty' <<<"$answer" 2>/dev/null)"
    printf '      %s\n' "$query"
  fi
done < <(jq -r '[.panels[], (.panels[] | .panels? // [] | .[])] | .[] | select(.targets) | .title as $t | .targets[] | [$t, .expr] | @tsv' "$dashboard")

# Template variables of the form label_values(METRIC, LABEL).
while IFS=$'\t' read -r name definition; do
  total=$((total + 1))
  if [[ "$definition" =~ ^label_values\(([^,]+),[[:space:]]*([A-Za-z_][A-Za-z0-9_]*)\)$ ]]; then
    answer="$(curl -s --max-time 20 -G --data-urlencode "match[]=${BASH_REMATCH[1]}" "$prom/api/v1/label/${BASH_REMATCH[2]}/values" || echo '{}')"
    if [[ "$(jq -r '.status // "no answer"' <<<"$answer")" == success ]]; then
      printf 'ok    variable %-36s %s\n' "\$$name" "$(jq -r '.data | join(", ")' <<<"$answer")"
    else
      failed=$((failed + 1))
      printf 'FAIL  variable %-36s %s\n' "\$$name" "$(jq -r '.error // "no answer"' <<<"$answer")"
    fi
  else
    failed=$((failed + 1))
    printf 'FAIL  variable %-36s not label_values(METRIC, LABEL): %s\n' "\$$name" "$definition"
  fi
done < <(jq -r '.templating.list[] | select(.type == "query") | [.name, .definition] | @tsv' "$dashboard")

echo "$((total - failed)) of $total queries answered success"
[[ $failed -eq 0 ]]
