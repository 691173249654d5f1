"""The API's reference page at /api/docs: plain HTML written from the app's OpenAPI schema, with no
scripts and nothing fetched from elsewhere, so it reads the same offline (FastAPI's Swagger UI
loads itself from a CDN and is a blank page without the internet). Every text is escaped."""

from __future__ import annotations

from html import escape
from typing import Any

METHODS = ("get", "post", "put", "patch", "delete")
STYLE = """body{font-family:"Noto Sans CJK SC","Noto Sans SC",system-ui,sans-serif;max-width:60rem;margin:2rem auto;
padding:0 1rem;line-height:1.5}code{font-family:ui-monospace,monospace}h2{font-size:1.1rem;margin-top:2rem;
border-top:1px solid #ddd;padding-top:1rem}.m{display:inline-block;min-width:3.5rem;font-weight:bold}
table{border-collapse:collapse;margin:.3rem 0 .8rem}td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left;
vertical-align:top}p.d{white-space:pre-wrap;color:#333}"""
HEAD = {
    "title": "API 文档 / API reference",
    "schema": "OpenAPI 描述(JSON) / OpenAPI schema (JSON)",
    "params": "参数 / Parameters",
    "body": "请求体(JSON) / Request body (JSON)",
    "responses": "响应 / Responses",
    "field": "字段 / field",
    "type": "类型 / type",
    "required": "必填 / required",
    "meaning": "说明 / meaning",
    "where": "位置 / in",
    "code": "状态码 / code",
    "yes": "是 / yes",
    "no": "否 / no",
}


def _resolve(schema: dict[str, Any], node: Any) -> dict[str, Any]:
    """A schema node with a local $ref followed (pydantic models sit under components/schemas)."""
    seen = 0
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and seen < 10:
        target: Any = schema
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        node, seen = target, seen + 1
    return node if isinstance(node, dict) else {}


def _type(node: dict[str, Any]) -> str:
    if "type" in node:
        t = node["type"]
        return " | ".join(map(str, t)) if isinstance(t, list) else str(t)
    alts = node.get("anyOf") or node.get("oneOf") or []
    return " | ".join(_type(a) for a in alts if isinstance(a, dict)) or "any"


def _table(head: list[str], rows: list[list[str]]) -> str:
    cells = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><tr>{cells}</tr>{body}</table>"


def _operation(schema: dict[str, Any], path: str, method: str, op: dict[str, Any]) -> str:
    out = [f'<h2><span class="m">{escape(method.upper())}</span> <code>{escape(path)}</code></h2>']
    if op.get("summary"):
        out.append(f"<p><b>{escape(str(op['summary']))}</b></p>")
    if op.get("description"):
        out.append(f'<p class="d">{escape(str(op["description"]))}</p>')
    params = [_resolve(schema, p) for p in op.get("parameters", [])]
    if params:
        rows = [
            [
                str(p.get("name", "")),
                str(p.get("in", "")),
                _type(_resolve(schema, p.get("schema", {}))),
                HEAD["yes"] if p.get("required") else HEAD["no"],
                str(p.get("description", "")),
            ]
            for p in params
        ]
        out.append(f"<h3>{escape(HEAD['params'])}</h3>")
        out.append(_table([HEAD["field"], HEAD["where"], HEAD["type"], HEAD["required"], HEAD["meaning"]], rows))
    content = _resolve(schema, op.get("requestBody", {})).get("content", {})
    body = _resolve(schema, next(iter(content.values()), {}).get("schema", {})) if content else {}
    if body:
        required = set(body.get("required", []))
        rows = [
            [
                str(name),
                _type(_resolve(schema, f)),
                HEAD["yes"] if name in required else HEAD["no"],
                str(_resolve(schema, f).get("description", "")),
            ]
            for name, f in body.get("properties", {}).items()
        ]
        out.append(f"<h3>{escape(HEAD['body'])}</h3>")
        out.append(_table([HEAD["field"], HEAD["type"], HEAD["required"], HEAD["meaning"]], rows) if rows else "")
    responses = op.get("responses", {})
    if responses:
        rows = [[str(code), str(_resolve(schema, r).get("description", ""))] for code, r in responses.items()]
        out.append(f"<h3>{escape(HEAD['responses'])}</h3>")
        out.append(_table([HEAD["code"], HEAD["meaning"]], rows))
    return "\n".join(out)


def docs_page(schema: dict[str, Any]) -> str:
    """Every path and method of `schema`: summary, parameters, body fields and response codes."""
    info = schema.get("info", {})
    title = f"{info.get('title', 'API')} {info.get('version', '')}".strip()
    parts = [
        "<!doctype html>",
        '<html lang="zh"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">',
        f"<title>{escape(title)} · {escape(HEAD['title'])}</title><style>{STYLE}</style></head><body>",
        f'<h1>{escape(title)}</h1><p>{escape(HEAD["title"])} · <a href="openapi.json">{escape(HEAD["schema"])}</a></p>',
    ]
    if info.get("description"):
        parts.append(f'<p class="d">{escape(str(info["description"]))}</p>')
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            if isinstance(item, dict) and isinstance(item.get(method), dict):
                parts.append(_operation(schema, str(path), method, item[method]))
    parts.append("</body></html>")
    return "\n".join(parts)
