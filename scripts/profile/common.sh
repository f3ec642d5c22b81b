# Shared by the profiling scripts (sourced, not run).
# The proxy under test listens on 18090 and runs on CPU 1; the load generator and the upstream
# (scripts/profile/upstream) share CPU 0, as in ../shared/bench.
set -euo pipefail
PROFILE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PORT=18090

# config_for MODE: the proxy config a load mode runs against.
config_for() {
    case $1 in
        h1 | tcp-h1) echo "$PROFILE_DIR/configs/${1%-h1}.yaml" ;;
        h2) echo "$PROFILE_DIR/configs/h2up.yaml" ;;
        *) echo "unknown mode $1 (h1, h2, tcp-h1)" >&2; exit 2 ;;
    esac
}

# load MODE N: N requests through the proxy (h1: 8 HTTP/1.1 connections; h2: 4 h2c connections
# with 10 streams each; tcp-h1: HTTP/1.1 through the TCP proxy).
load() {
    case $1 in
        h1 | tcp-h1) taskset -c 0 h2load --h1 -c 8 -n "$2" "http://127.0.0.1:$PORT/" ;;
        h2) taskset -c 0 h2load -c 4 -m 10 -n "$2" "http://127.0.0.1:$PORT/" ;;
    esac | grep '^requests:' | cut -c1-80
}

# wait_for_port: until the proxy answers (up to 60 s: valgrind starts slowly).
wait_for_port() {
    for _ in $(seq 120); do
        curl -s -o /dev/null "http://127.0.0.1:$PORT/" && return 0
        sleep 0.5
    done
    echo "nothing answers on $PORT" >&2
    exit 1
}

# bench_shape MODE: CONFIG and CLIENT for the load shapes of ../shared/bench (h1: wrk -c8, sat:
# wrk -c64, tcp: wrk -c64 through tcp_proxy, h2: h2load -c8 -m16 with an h2c upstream). CLIENT
# takes the duration in seconds, then the URL.
bench_shape() {
    case $1 in
        h1) CONFIG=h1; CLIENT="wrk -t1 -c8 -d" ;;
        sat) CONFIG=h1; CLIENT="wrk -t1 -c64 -d" ;;
        tcp) CONFIG=tcp; CLIENT="wrk -t1 -c64 -d" ;;
        h2) CONFIG=h2up; CLIENT="h2load -t1 -c8 -m16 -D" ;;
        *) echo "unknown mode $1 (h1, sat, tcp, h2)" >&2; exit 2 ;;
    esac
}

# completed_requests: the number of requests CLIENT's output (on stdin) reports done.
completed_requests() {
    if [[ $CLIENT == wrk* ]]; then
        awk '/requests in/ {print $1}'
    else
        awk '/^requests:/ {print $8}'
    fi
}
