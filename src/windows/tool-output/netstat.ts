/**
 * `netstat -ano`: TCP and UDP endpoints with the owning PID.
 *
 * Format (Microsoft "netstat" reference): a title, a blank line, a header
 * `Proto  Local Address  Foreign Address  State  PID`, then whitespace-separated columns. UDP
 * lines have no State. IPv6 addresses are bracketed (`[::1]:443`). Header words are localized,
 * so only lines starting with TCP/UDP are read. Wine's netstat prints the same layout.
 * Source: https://learn.microsoft.com/windows-server/administration/windows-commands/netstat
 */
import type { Connection } from "../../ports/system.js";
import { isBlank, noAnswer } from "./no-answer.js";

export const MAX_CONNECTIONS = 100_000;

export function parseNetstatAno(text: string): Connection[] {
  const out: Connection[] = [];
  for (const raw of text.split(/\r?\n/)) {
    if (out.length >= MAX_CONNECTIONS) break;
    const cols = raw.trim().split(/\s+/);
    const proto = cols[0]?.toUpperCase();
    if (proto !== "TCP" && proto !== "UDP") continue;
    if (proto === "TCP" && cols.length >= 5) {
      const pid = Number(cols[4]);
      if (Number.isSafeInteger(pid))
        out.push({ protocol: "TCP", local: cols[1]!, remote: cols[2]!, state: cols[3]!, pid });
    } else if (proto === "UDP" && cols.length >= 4) {
      const pid = Number(cols[cols.length - 1]);
      if (Number.isSafeInteger(pid)) out.push({ protocol: "UDP", local: cols[1]!, remote: cols[2]!, pid });
    }
  }
  return out;
}

/**
 * The endpoints of `netstat -ano`, as a fact. Every running Windows listens on at least one port
 * (the RPC endpoint mapper, TCP 135), so output without one TCP or UDP row is no answer.
 * @throws {@link WindowsStateError} `no-answer` when the output is blank or has no endpoint row.
 */
export function readNetstatAnswer(text: string, command: string): Connection[] {
  if (isBlank(text)) throw noAnswer(command, "printed nothing");
  const connections = parseNetstatAno(text);
  if (connections.length === 0)
    throw noAnswer(command, "listed no TCP or UDP endpoint (every Windows listens on TCP 135)");
  return connections;
}

/** True for a TCP connection to a remote host (not listening, not loopback). */
export function isOutbound(c: Connection): boolean {
  if (c.protocol !== "TCP" || c.state?.toUpperCase() !== "ESTABLISHED") return false;
  const host = c.remote.replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
  return !(host.startsWith("127.") || host === "::1" || host === "0.0.0.0" || host === "::");
}
