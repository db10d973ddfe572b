/**
 * The `host` collector (src/check/collect/host.ts): MachineGuid is the host id; without it, a
 * hash of the SOFTWARE hive's identity values; without those, a hash of the source. The computer
 * name comes from the control set `Select\Current` names, the build from CurrentBuild and UBR.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  createMemoryRegistryPort,
  type MemoryRegistrySpec,
} from "../../src/adapters/fake/memory-registry-port.js";
import { MemoryFileSystem } from "../../src/adapters/fake/memory-file-system.js";
import { hashedMachineGuid, hostCollector } from "../../src/check/collect/host.js";
import { loadKnowledge } from "../../src/knowledge/index.js";
import type { Snapshot } from "../../src/ports/snapshot.js";

const NT = "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion";

async function hostOf(spec: MemoryRegistrySpec, source = "image /cases/pc1") {
  const snapshot = {
    mode: "image",
    fs: new MemoryFileSystem({}),
    registry: createMemoryRegistryPort(spec),
    now: () => new Date(0),
    describe: () => source,
    unknown: {},
  } as unknown as Snapshot;
  const r = await hostCollector.collect(snapshot, {
    knowledge: loadKnowledge(),
    collected: {},
    signal: new AbortController().signal,
  });
  return r.facts.host!;
}

describe("host collector", () => {
  it("MachineGuid (braces and case dropped), the current control set's ComputerName, CurrentBuild.UBR, LastLoggedOnUser", async () => {
    const host = await hostOf({
      "HKLM\\SOFTWARE\\Microsoft\\Cryptography": { MachineGuid: "{6F1D3A2B-0C4E-4F5A-9B8C-7D6E5F4A3B2C}" },
      [NT]: { ProductName: "Windows 11 Pro", CurrentBuild: "22631", UBR: 3447, DisplayVersion: "23H2" },
      "HKLM\\SYSTEM\\Select": { Current: 2 },
      "HKLM\\SYSTEM\\ControlSet001\\Control\\ComputerName\\ComputerName": { ComputerName: "OLD-NAME" },
      "HKLM\\SYSTEM\\ControlSet002\\Control\\ComputerName\\ComputerName": { ComputerName: "PC-0042" },
      "HKLM\\SYSTEM\\ControlSet002\\Services\\Tcpip\\Parameters": { Domain: "corp.example" },
      "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Authentication\\LogonUI": {
        LastLoggedOnUser: "CORP\\bob",
      },
    });
    assert.deepEqual(host, {
      id: "6f1d3a2b-0c4e-4f5a-9b8c-7d6e5f4a3b2c",
      idSource: "machine-guid",
      computerName: "PC-0042",
      domain: "corp.example",
      osProduct: "Windows 11 Pro",
      osBuild: "22631.3447",
      osVersion: "23H2",
      user: "bob",
    });
  });

  it("no MachineGuid: a hash of the identity values, the same for two copies of the hive at other paths", async () => {
    const spec = { [NT]: { ProductId: "00330-80000-00000-AA123", InstallDate: 1700000000 } };
    const a = await hostOf(spec, "image /cases/a");
    const b = await hostOf(spec, "bundle /tmp/b.zip");
    assert.equal(a.idSource, "software-identity");
    assert.match(a.id, /^sha256:[0-9a-f]{64}$/);
    assert.equal(a.id, b.id);
    const other = await hostOf({ [NT]: { ProductId: "00330-80000-00000-AA124", InstallDate: 1700000000 } });
    assert.notEqual(other.id, a.id);
  });

  it("a MachineGuid that is not a GUID is not an id; nothing at all: a hash of the source, names absent (not null)", async () => {
    const host = await hostOf({
      "HKLM\\SOFTWARE\\Microsoft\\Cryptography": { MachineGuid: "'; drop table hosts; --" },
    });
    assert.equal(host.idSource, "source");
    assert.match(host.id, /^sha256:[0-9a-f]{64}$/);
    assert.deepEqual(Object.keys(host).sort(), ["id", "idSource"]);
  });

  it("a redacted bundle's MachineGuid (its SHA-256) is read back as the id, idSource machine-guid-sha256; a near miss is not", async () => {
    const hashed = hashedMachineGuid("{6F1D3A2B-0C4E-4F5A-9B8C-7D6E5F4A3B2C}");
    assert.equal(
      hashed,
      hashedMachineGuid("6f1d3a2b-0c4e-4f5a-9b8c-7d6e5f4a3b2c"),
      "braces and case dropped",
    );
    const crypto = "HKLM\\SOFTWARE\\Microsoft\\Cryptography";
    const host = await hostOf({ [crypto]: { MachineGuid: hashed } });
    assert.deepEqual([host.id, host.idSource], [hashed, "machine-guid-sha256"]);
    for (const near of [`${hashed}0`, hashed.toUpperCase(), hashed.replace("sha256:", "sha1:")])
      assert.equal((await hostOf({ [crypto]: { MachineGuid: near } })).idSource, "source", near);
  });
});
