#!/usr/bin/env python3
"""Runs a proxy on a variant of the bench harness's generated Envoy config.

../shared/bench/peers.py hands every `--proxy-cmd` the same one-route, one-endpoint Envoy YAML.
The issues' speed bars compare Tern against itself and Envoy on richer configs, so this wrapper
rewrites that YAML and then execs the proxy on the result:

    peers.py --scenarios h1-sat \
      --proxy-cmd 'scripts/bench/variant.py plain {config} -- .build-release/release/tern -c {variant} --concurrency 1' \
      --proxy-name tern \
      --proxy-cmd 'scripts/bench/variant.py governance {config} -- .build-release/release/tern -c {variant} --concurrency 1' \
      --proxy-name tern-governance

`{variant}` in the command is replaced by the rewritten file's path (written beside the original).
Variants:
  plain       the harness config unchanged
  governance  issue 5: local rate limit (never reached), fault (0%), RBAC (allow), CORS and a
              mirror policy at 0% in front of the router: every filter runs, every request passes
  resilient   issue 4: LEAST_REQUEST over four endpoints (the harness upstream's port, listed four
              times: four hosts, four pools), an HTTP active health check and outlier detection
The rewrite is textual (stdlib only, as the harness): it asserts the anchors it replaces exist.
"""
import os
import sys

GOVERNANCE_FILTERS = """          http_filters:
          - name: envoy.filters.http.local_ratelimit
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit
              stat_prefix: http_local_rate_limiter
              token_bucket: { max_tokens: 1000000000, tokens_per_fill: 1000000000, fill_interval: 1s }
              filter_enabled: { default_value: { numerator: 100, denominator: HUNDRED } }
              filter_enforced: { default_value: { numerator: 100, denominator: HUNDRED } }
          - name: envoy.filters.http.fault
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault
              abort: { http_status: 503, percentage: { numerator: 0, denominator: HUNDRED } }
              delay: { fixed_delay: 1s, percentage: { numerator: 0, denominator: HUNDRED } }
          - name: envoy.filters.http.rbac
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC
              rules:
                action: ALLOW
                policies:
                  local-callers:
                    permissions: [{ url_path: { path: { prefix: "/" } } }]
                    principals: [{ direct_remote_ip: { address_prefix: 127.0.0.0, prefix_len: 8 } }]
          - name: envoy.filters.http.cors
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors
          - name: envoy.filters.http.router
"""

GOVERNANCE_ROUTE = """                route:
                  cluster: upstream
                  request_mirror_policies:
                  - cluster: upstream
                    runtime_fraction: { default_value: { numerator: 0, denominator: HUNDRED } }
                typed_per_filter_config:
                  envoy.filters.http.cors:
                    "@type": type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy
                    allow_origin_string_match: [{ exact: "https://example.com" }]
                    allow_methods: "GET, POST"
"""

RESILIENT_CLUSTER = """    lb_policy: LEAST_REQUEST
    health_checks:
    - timeout: 1s
      interval: 1s
      unhealthy_threshold: 3
      healthy_threshold: 1
      http_health_check: { path: / }
    outlier_detection:
      consecutive_5xx: 5
      interval: 1s
      base_ejection_time: 30s
"""


def replace_once(text, old, new, what):
    if text.count(old) != 1:
        sys.exit(f"variant.py: the harness config has changed: cannot find the {what} to rewrite")
    return text.replace(old, new)


def rewrite(variant, text):
    if variant == "plain":
        return text
    if variant == "governance":
        text = replace_once(text, "          http_filters:\n          - name: envoy.filters.http.router\n",
                            GOVERNANCE_FILTERS, "http_filters")
        return replace_once(text, "                route: { cluster: upstream }\n", GOVERNANCE_ROUTE, "route")
    if variant == "resilient":
        text = replace_once(text, "    lb_policy: ROUND_ROBIN\n", RESILIENT_CLUSTER, "lb_policy")
        start = text.index("      - lb_endpoints:\n")
        endpoint = text[start + len("      - lb_endpoints:\n"):]
        return text[:start] + "      - lb_endpoints:\n" + endpoint * 4
    sys.exit(f"variant.py: unknown variant {variant!r} (plain, governance, resilient)")


def main(argv):
    if len(argv) < 4 or "--" not in argv:
        sys.exit(__doc__)
    variant, source = argv[1], argv[2]
    command = argv[argv.index("--") + 1:]
    with open(source) as f:
        text = rewrite(variant, f.read())
    out = os.path.join(os.path.dirname(source), f"variant-{variant}.yaml")
    with open(out, "w") as f:
        f.write(text)
    command = [arg.replace("{variant}", out) for arg in command]
    os.execvp(command[0], command)


if __name__ == "__main__":
    main(sys.argv)
