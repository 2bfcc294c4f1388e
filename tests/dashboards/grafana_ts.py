#!/usr/bin/env python3
"""Writes TypeScript files that type-check Monitor's Grafana dashboards against @grafana/schema (check.sh runs tsc).

Usage: grafana_ts.py OUT_DIR DASHBOARD.json...

- <name>.ts: `const dashboard: JsonOf<Dashboard> = <the JSON>;` per dashboard. The JSON is written as an object
  literal rather than imported with --resolveJsonModule: an imported JSON file's strings widen to `string`,
  which no enum-typed field accepts; a literal keeps literal types and gets excess-property checks.
- panels.ts: each panel's `options` against its panel type's Options, `fieldConfig.defaults` against
  FieldConfig and `fieldConfig.defaults.custom` against the panel type's FieldConfig (the Dashboard type leaves
  these as Record<string, unknown>). Options are Partial: Grafana fills the ones a dashboard leaves out.
JsonOf<T> maps the schema's TypeScript enums to their string values, since JSON holds no enums.
"""
import json
import pathlib
import sys

JSON_OF = (
    "// JSON holds no TypeScript enums: compare enum-typed fields with the enums' string values.\n"
    "type JsonOf<T> = T extends string ? `${T}` : T extends number | boolean | null | undefined ? T :\n"
    "  T extends ReadonlyArray<infer U> ? Array<JsonOf<U>> : T extends object ? { [K in keyof T]: JsonOf<T[K]> } : T;\n"
)
# panel type -> (namespace, module under @grafana/schema/dist/esm/raw/composable/, has a custom FieldConfig type)
PANEL_TYPES = {
    "timeseries": ("TimeSeries", "timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen", True),
    "stat": ("Stat", "stat/panelcfg/x/StatPanelCfg_types.gen", False),
    "bargauge": ("BarGauge", "bargauge/panelcfg/x/BarGaugePanelCfg_types.gen", False),
    "table": ("Table", "table/panelcfg/x/TablePanelCfg_types.gen", True),
}


def main():
    out_dir = pathlib.Path(sys.argv[1])
    dashboards = [pathlib.Path(p) for p in sys.argv[2:]]
    written = []
    panels = ["import type { FieldConfig } from '@grafana/schema';"]
    panels += [f"import type * as {ns} from '@grafana/schema/dist/esm/raw/composable/{mod}';" for ns, mod, _ in PANEL_TYPES.values()]
    panels.append(JSON_OF)
    n = 0
    for f in dashboards:
        text = f.read_text(encoding="utf-8")
        target = out_dir / (f.stem.replace("-", "_") + ".ts")
        target.write_text("import type { Dashboard } from '@grafana/schema';\n" + JSON_OF
                          + "export const dashboard: JsonOf<Dashboard> = " + text.rstrip() + ";\n", encoding="utf-8")
        written.append(target)
        for p in json.loads(text)["panels"]:
            if p["type"] == "row":
                continue
            if p["type"] not in PANEL_TYPES:
                sys.exit(f"{f.name}: panel {p['title']!r} has type {p['type']}, which this check has no options type for")
            ns, _, has_custom = PANEL_TYPES[p["type"]]
            n += 1
            defaults = dict(p.get("fieldConfig", {}).get("defaults", {}))
            custom = defaults.pop("custom", {})
            panels.append(f"// {f.name}: panel {p['id']} {p['title']!r}")
            panels.append(f"export const options{n}: JsonOf<Partial<{ns}.Options>> = {json.dumps(p.get('options', {}))};")
            panels.append(f"export const defaults{n}: JsonOf<FieldConfig> = {json.dumps(defaults)};")
            if has_custom:
                panels.append(f"export const custom{n}: JsonOf<Partial<{ns}.FieldConfig>> = {json.dumps(custom)};")
            elif custom:
                sys.exit(f"{f.name}: panel {p['title']!r} ({p['type']}) has fieldConfig.defaults.custom, which its type does not have")
    target = out_dir / "panels.ts"
    target.write_text("\n".join(panels) + "\n", encoding="utf-8")
    written.append(target)
    print(f"typed {len(dashboards)} dashboards and the options of {n} panels")
    for w in written:
        print(w)


if __name__ == "__main__":
    main()
