"use strict";
const $ = (id) => document.getElementById(id);
const store = window.sessionStorage;
let token = store.getItem("cutover-token") || "";
let current = null;      // the run shown
let stream = null;       // AbortController of its event stream
let lastEventID = "";

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) { if (k === "class") e.className = v; else e.setAttribute(k, v); }
  for (const k of kids) e.append(k === undefined || k === null ? "" : String(k));
  return e;
}
function row(tbody, cells, attrs) {
  const tr = el("tr", attrs || {});
  for (const c of cells) { const td = el("td"); td.append(c instanceof Node ? c : String(c)); tr.append(td); }
  tbody.append(tr);
  return tr;
}
function ms(ns) { return ns === undefined ? "" : (ns / 1e6).toFixed(1) + " ms"; }
function clock(t) { return t ? new Date(t).toLocaleTimeString([], {hour12: false}) + "." + String(new Date(t).getMilliseconds()).padStart(3, "0") : ""; }

async function api(path) {
  const r = await fetch(path, {headers: {"Authorization": "Bearer " + token}, cache: "no-store"});
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(body.error || ("HTTP " + r.status));
  return body;
}

async function start() {
  if (!token) { showLogin(""); return; }
  try {
    const who = await api("/v1/whoami");
    $("who").textContent = who.name + " (" + who.role + ")";
  } catch (e) { showLogin(e.message); return; }
  $("login").hidden = true; $("main").hidden = false; $("logout").hidden = false;
  await loadRuns();
  pollWatch();
  setInterval(pollWatch, 5000);
  setInterval(loadRuns, 10000);
}

function showLogin(msg) {
  $("main").hidden = true; $("login").hidden = false; $("loginerror").textContent = msg;
}

$("login").addEventListener("submit", (ev) => {
  ev.preventDefault();
  token = $("token").value.trim();
  store.setItem("cutover-token", token);
  $("token").value = "";
  start();
});
$("logout").addEventListener("click", () => { store.removeItem("cutover-token"); token = ""; location.reload(); });
$("runs").addEventListener("change", () => { const u = new URL(location); u.searchParams.set("run", $("runs").value); history.replaceState(null, "", u); open($("runs").value); });

async function loadRuns() {
  let runs;
  try { runs = await api("/v1/runs"); } catch (e) { $("conn").textContent = e.message; return; }
  const sel = $("runs"), want = new URL(location).searchParams.get("run") || (current && current.id) || (runs[0] && runs[0].id);
  sel.textContent = "";
  for (const r of runs) sel.append(el("option", {value: r.id}, r.id + " — " + r.kind + " " + r.inventory + " (" + r.state + ")"));
  if (want) { sel.value = want; if (!current || current.id !== want) open(want); }
}

async function open(id) {
  if (stream) stream.abort();
  lastEventID = "";
  for (const t of ["steps", "checks", "ports", "downtime"]) $(t).textContent = "";
  $("log").textContent = "";
  try { current = await api("/v1/runs/" + encodeURIComponent(id)); } catch (e) { $("conn").textContent = e.message; return; }
  showRun(current);
  showPlan(current.plan);
  follow(id);
}

function showRun(r) {
  const t = $("run"); t.textContent = "";
  const st = el("span", {class: "state " + stateClass(r.state), id: "state"}, r.state);
  row(t, ["state", st]);
  row(t, ["kind", r.kind + " of " + r.inventory]);
  row(t, ["plan", el("span", {class: "mono"}, r.plan_hash || "")]);
  row(t, ["requested", (r.requested_by || "") + " — " + (r.reason || "")]);
  if (r.decided_by) row(t, [r.state === "denied" ? "denied" : "approved", r.decided_by + " — " + (r.decision_reason || "")]);
  if (r.result) row(t, ["result", el("span", {class: stateClass(r.result.class), id: "result"}, r.result.class + (r.result.error ? ": " + r.result.error : ""))]);
  if (r.recovery && r.recovery.length) row(t, ["recovery", "unfinished: an approver chooses " + r.recovery.join(" or ")]);
}

function stateClass(s) {
  if (["done", "approved", "running", "passed"].includes(s)) return "ok";
  if (["awaiting_approval", "recovering"].includes(s)) return "wait";
  return "bad";
}

function showPlan(p) {
  if (!p) return;
  (p.steps || []).forEach((s, i) => {
    row($("steps"), [s.name, (s.batches || []).reduce((n, b) => n + b.moves.length, 0), "", "", ""], {id: "step-" + s.name});
  });
  const seen = {};
  for (const s of p.steps || []) for (const b of s.batches || []) for (const m of b.moves) {
    const key = b.switch + ":" + m.port;
    if (seen[key]) continue;
    seen[key] = true;
    row($("ports"), [b.switch, m.port, m.system, segment(m.from_role, m.from)], {"data-port": key});
  }
}

function segment(role, seg) { return (role || "?") + " (" + (seg === "" ? "disconnected" : seg) + ")"; }
function setPort(key, role, seg) {
  const tr = document.querySelector('tr[data-port="' + CSS.escape(key) + '"]');
  if (tr) tr.lastChild.textContent = segment(role, seg);
}
function stepCell(step, i, text, cls) {
  const tr = $("step-" + step);
  if (!tr) return;
  tr.children[i].textContent = text;
  if (cls) tr.children[i].className = cls;
}

function handle(ev) {
  const line = el("div", {}, clock(ev.time) + " " + ev.kind + (ev.step ? " " + ev.step : "") + (ev.switch ? " " + ev.switch : "") + (ev.text ? ": " + ev.text : "") + (ev.error ? " ERROR: " + ev.error : ""));
  $("log").append(line); $("log").scrollTop = $("log").scrollHeight;
  switch (ev.kind) {
  case "step-start": stepCell(ev.step, 2, clock(ev.time)); stepCell(ev.step, 4, "running", "wait"); break;
  case "step-done": stepCell(ev.step, 3, ms(ev.duration_ns)); stepCell(ev.step, 4, ev.error ? "failed" : "done", ev.error ? "bad" : "ok"); break;
  case "rollback-done": stepCell(ev.step, 4, ev.error ? "rollback incomplete" : "rolled back", "bad"); break;
  case "check": {
    const c = ev.check;
    row($("checks"), [c.step, c.check, c.vlan, el("span", {class: c.passed ? "ok" : "bad"}, c.passed ? "ok" : "BLOCKED"), c.detail]);
    break;
  }
  case "end": case "denied": case "expired": case "refused": case "approved": case "started": case "unfinished":
    refresh(); break;
  }
  for (const p of ev.ports || []) setPort(p.switch + ":" + p.port, p.to_role, p.to);
  if (ev.result && ev.result.downtime_ms) {
    $("downtime").textContent = "";
    for (const [a, v] of Object.entries(ev.result.downtime_ms)) row($("downtime"), [a, v + " ms"]);
  }
}

async function refresh() {
  if (!current) return;
  try {
    current = await api("/v1/runs/" + encodeURIComponent(current.id));
    showRun(current);
    const opt = [...$("runs").options].find((o) => o.value === current.id);
    if (opt) opt.textContent = current.id + " — " + current.kind + " " + current.inventory + " (" + current.state + ")";
  } catch (e) {}
}

// follow reads the run's server-sent events with fetch (an EventSource
// cannot send the token), resuming after a break with Last-Event-ID.
async function follow(id) {
  const ctl = new AbortController();
  stream = ctl;
  while (!ctl.signal.aborted) {
    try {
      const headers = {"Authorization": "Bearer " + token, "Accept": "text/event-stream"};
      if (lastEventID) headers["Last-Event-ID"] = lastEventID;
      const r = await fetch("/v1/runs/" + encodeURIComponent(id) + "/events", {headers, signal: ctl.signal, cache: "no-store"});
      if (!r.ok) { $("conn").textContent = "events: HTTP " + r.status; return; }
      $("conn").textContent = "live";
      const reader = r.body.getReader(), dec = new TextDecoder();
      let buf = "";
      for (;;) {
        const {value, done} = await reader.read();
        if (done) break;
        buf += dec.decode(value, {stream: true});
        let i;
        while ((i = buf.indexOf("\n\n")) >= 0) {
          const block = buf.slice(0, i); buf = buf.slice(i + 2);
          let data = "", eid = "";
          for (const l of block.split("\n")) {
            if (l.startsWith("data:")) data += l.slice(5).trim();
            else if (l.startsWith("id:")) eid = l.slice(3).trim();
          }
          if (eid) lastEventID = eid;
          if (data) handle(JSON.parse(data));
        }
      }
      if (current && ["done", "blocked", "rolled_back", "error", "denied", "expired", "refused", "stale"].includes(current.state)) { $("conn").textContent = "ended"; return; }
    } catch (e) {
      if (ctl.signal.aborted) return;
      $("conn").textContent = "reconnecting…";
    }
    await new Promise((res) => setTimeout(res, 1000));
  }
}

async function pollWatch() {
  let w;
  try { w = await api("/v1/watch"); } catch (e) { return; }
  const t = $("conflicts"); t.textContent = "";
  if (!w.enabled) { row(t, ["no watchdog configured", "", "", "", ""]); return; }
  for (const i of w.interfaces) for (const c of i.report.conflicts || []) row(t, [i.netns ? i.netns + "/" + i.interface : i.interface, c.vlan, c.ip, c.macs.join(", "), c.count]);
  if (!t.children.length) row(t, ["none", "", "", "", ""]);
}

start();
