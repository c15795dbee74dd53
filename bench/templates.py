"""Template figures: the cost of Aura's budgeted sandbox against Jinja's own sandbox.

A realistic workflow template (a JSON body built from a 50-item list with filters, a
condition, a few lookups) is rendered alternately, ~300 times each, by

* the baseline: a plain `jinja2.sandbox.ImmutableSandboxedEnvironment` (StrictUndefined),
  template compiled once;
* `shared.workflows.templates.render` (compiled once too: its cache is warm after the
  first call), with every budget check on.

The medians and their ratio are returned; the ratio is what to compare between runs.
`venv/bin/python -m bench.templates` prints them.
"""

from __future__ import annotations

import json
import statistics
import time
from typing import Any

from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from shared.workflows import templates

RUNS = 300
WARMUP = 20

TEMPLATE = """{
  "customer": {{ input.customer.name | tojson }},
  "email": {{ input.customer.email | lower | tojson }},
  "source": {{ nodes.fetch.output.source | default("api") | tojson }},
  "count": {{ input.orders | length }},
  "total": {{ "%.2f" | format(input.orders | sum(attribute="amount")) | tojson }},
  "orders": [
  {%- for order in input.orders %}
    {"id": {{ order.id | tojson }},
     "label": {{ (order.sku ~ " x" ~ order.qty) | upper | tojson }},
     "amount": {{ "%.2f" | format(order.amount) | tojson }},
     "tags": {{ order.tags | join(",") | tojson }},
     "big": {{ (order.amount > 100) | tojson }},
     "note": {{ order.note | default("") | truncate(40) | tojson }}}
    {%- if not loop.last %},{% endif %}
  {%- endfor %}
  ],
  "status": {{ nodes.fetch.output.status | tojson }}
}"""


def context() -> dict[str, Any]:
    orders = [
        {
            "id": f"o-{i:04d}",
            "sku": f"sku-{i % 7}",
            "qty": i % 5 + 1,
            "amount": round(12.5 * (i % 13) + i, 2),
            "tags": ["new", "paid"] if i % 2 else ["gift"],
            "note": "Leave at the door, ring twice and wait for someone to answer" * (i % 2),
        }
        for i in range(50)
    ]
    return {
        "input": {
            "customer": {"name": "Ada Lovelace", "email": "Ada@Example.com"},
            "orders": orders,
        },
        "nodes": {"fetch": {"output": {"status": 200, "source": "crm"}}},
        "vars": {},
    }


def bench_templates() -> dict[str, Any]:
    """Median render time of TEMPLATE, baseline sandbox against templates.render."""
    env = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
    env.filters["tojson"] = lambda value: json.dumps(value, ensure_ascii=False)
    baseline = env.from_string(TEMPLATE)
    data = context()
    expected = json.loads(baseline.render(data))
    assert templates.render_json(TEMPLATE, data) == expected  # same output, or no figure

    base: list[float] = []
    ours: list[float] = []
    for run in range(WARMUP + RUNS):  # interleaved, so drift hits both alike
        started = time.perf_counter()
        baseline.render(data)
        middle = time.perf_counter()
        templates.render(TEMPLATE, data)
        ended = time.perf_counter()
        if run >= WARMUP:
            base.append(middle - started)
            ours.append(ended - middle)
    baseline_ms = statistics.median(base) * 1000
    aura_ms = statistics.median(ours) * 1000
    return {
        "runs": RUNS,
        "baseline_ms": round(baseline_ms, 4),
        "aura_ms": round(aura_ms, 4),
        "ratio": round(aura_ms / baseline_ms, 3),
    }


if __name__ == "__main__":
    figures = bench_templates()
    print(
        f"template render, median of {figures['runs']}: "
        f"jinja2 sandbox {figures['baseline_ms']:.3f} ms, "
        f"aura {figures['aura_ms']:.3f} ms, ratio {figures['ratio']:.2f}"
    )
