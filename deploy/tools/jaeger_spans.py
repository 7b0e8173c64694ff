#!/usr/bin/env python3
"""Reads traces from Jaeger's query API and prints their spans in OtlpCapture's line format, so that
`java deploy/tools/OtlpCapture.java tree|check FILE` works on what Jaeger stored.

    python3 deploy/tools/jaeger_spans.py http://127.0.0.1:16686 spine-demo [LIMIT] > spans.tsv
    python3 deploy/tools/jaeger_spans.py --file traces.json > spans.tsv     # a saved /api/traces answer

It asks GET /api/traces?service=SERVICE&limit=LIMIT&lookback=1h (the JSON the Jaeger UI reads: data[] of
traces, each with spans[] and processes{}). Standard library only. Exit 1 when Jaeger answers with errors
or no trace.
"""
import json
import sys
import urllib.parse
import urllib.request

SHOWN = ["messaging.system", "messaging.operation.type", "messaging.destination.name",
         "messaging.consumer.group.name", "messaging.nats.delivered_count",
         "messaging.message.conversation_id", "spine.job.type", "spine.job.attempt", "spine.job.id"]


def lines(answer):
    """One OtlpCapture line per span of a /api/traces answer."""
    out = []
    for trace in answer.get("data") or []:
        processes = trace.get("processes") or {}
        for span in trace.get("spans") or []:
            tags = {t.get("key"): t.get("value") for t in span.get("tags") or []}
            parent = next((r["spanID"] for r in span.get("references") or []
                           if r.get("refType") == "CHILD_OF" and r.get("traceID") == span["traceID"]), "-")
            service = (processes.get(span.get("processID")) or {}).get("serviceName", "?")
            kind = str(tags.get("span.kind", "unspecified")).upper()
            status = str(tags.get("otel.status_code", "UNSET")).upper()
            if tags.get("otel.status_description"):
                status += " " + " ".join(str(tags["otel.status_description"]).split())
            shown = " ".join(k + "=" + "_".join(str(tags[k]).split()) for k in SHOWN if k in tags)
            out.append("\t".join([span["traceID"].rjust(32, "0"), span["spanID"].rjust(16, "0"),
                                  parent if parent == "-" else parent.rjust(16, "0"), service, kind,
                                  span.get("operationName", ""), status,
                                  str(int(span.get("startTime", 0)) * 1000), shown]))
    return out


def main(argv):
    if len(argv) == 3 and argv[1] == "--file":
        with open(argv[2], encoding="utf-8") as f:
            answer = json.load(f)
    elif len(argv) in (3, 4):
        query = urllib.parse.urlencode({"service": argv[2], "limit": argv[3] if len(argv) == 4 else "200",
                                        "lookback": "1h"})
        with urllib.request.urlopen(argv[1].rstrip("/") + "/api/traces?" + query, timeout=30) as r:
            answer = json.load(r)
    else:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    if answer.get("errors"):
        print("jaeger_spans: Jaeger answered with errors: " + json.dumps(answer["errors"]), file=sys.stderr)
        return 1
    out = lines(answer)
    print("\n".join(out))
    print("jaeger_spans: %d traces, %d spans" % (len(answer.get("data") or []), len(out)), file=sys.stderr)
    return 0 if out else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
