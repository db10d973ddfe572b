/**
 * One triage path (src/triage/triage-snapshot-files.ts) for check, `triage PATH...` and
 * `triage --bundle`: a file judged through an image snapshot and the same file named on the
 * host with `--image` give the same record (apart from the path as given); host paths that
 * cannot be read get typed error records in input order; and the host-files adapter never lists
 * a link or a special file, never leaves an image root through a link, and maps paths as
 * `triage` always has.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { BundleFileSystem } from "../../src/adapters/bundle/bundle-file-system.js";
import { createHostSnapshot } from "../../src/adapters/host/host-snapshot.js";
import { HostFileSystem } from "../../src/adapters/host/host-file-system.js";
import { createSignatureVerifier } from "../../src/app/signature-verifier.js";
import { loadKnowledge } from "../../src/knowledge/index.js";
import type { Snapshot } from "../../src/ports/snapshot.js";
import { createImageSnapshot } from "../../src/adapters/image/image-snapshot.js";
import { ImageFileSystem } from "../../src/adapters/image/image-file-system.js";
import { triageSnapshotFiles, type FileDigester } from "../../src/triage/triage-snapshot-files.js";
import { ScratchBuffer } from "../../src/util/scratch-buffer.js";
import { InputFileError } from "../../src/util/input-file-error.js";
import { EXAMPLES, FIXTURES } from "../helpers/repo.js";

const IMAGE = path.join(EXAMPLES, "impostor-in-roaming");
const INSTALL = "Program Files (x86)\\Kerio\\Outlook Connector (Offline Edition)";
const FILES = [
  `${INSTALL}\\kofmsp32.dll`,
  `${INSTALL}\\KoffBackend.exe`,
  "Users\\alice\\AppData\\Roaming\\Kerio\\kofmsp32.dll",
];
const hostOf = (rel: string) => path.join(IMAGE, ...rel.split("\\"));
const POSIX = process.platform !== "win32";
const PE = path.join(FIXTURES, "pe", "tiny-x64.dll");

async function options() {
  const verifier = await createSignatureVerifier({ trustFiles: [], at: new Date("2026-01-01T00:00:00Z") });
  return { knowledge: loadKnowledge(), verifySignature: verifier.verify };
}

describe("triageSnapshotFiles", () => {
  it("an image file and the same file named on the host with --image get the same record", async () => {
    const o = await options();
    const image = await triageSnapshotFiles(
      createImageSnapshot(IMAGE),
      FILES.map((f) => `C:\\${f}`),
      o,
    );
    const host = await triageSnapshotFiles(createHostSnapshot({ imageRoot: IMAGE }), FILES.map(hostOf), o);
    assert.equal(host.length, FILES.length);
    FILES.forEach((f, i) => {
      const a = image[i]!;
      const b = host[i]!;
      assert.equal(a.path, `C:\\${f}`);
      assert.equal(b.path, hostOf(f), "a host file is reported by the path given");
      assert.equal(b.windowsPath, a.windowsPath);
      assert.deepEqual({ ...b, path: a.path }, a, f);
    });
    // The side-loading search ran, naming KoffBackend.exe by its Windows path.
    const dll = host[0]!.indicators.find((x) => x.id === "location")!;
    assert.ok(dll.evidence.length > 0);
  });

  it("unreadable host paths get typed error records, in input order, with their Windows path", async () => {
    const o = await options();
    const missing = path.join(IMAGE, "Users", "alice", "missing.dll");
    const records = await triageSnapshotFiles(
      createHostSnapshot({ imageRoot: IMAGE }),
      [missing, hostOf(FILES[0]!), path.join(IMAGE, "Users")],
      { ...o, concurrency: 3 },
    );
    assert.deepEqual(
      records.map((r) => [r!.verdict, r!.error?.code]),
      [
        ["error", "not-found"],
        [records[1]!.verdict, undefined],
        ["error", "is-a-directory"],
      ],
    );
    assert.equal(records[0]!.windowsPath, "C:\\Users\\alice\\missing.dll");
    assert.deepEqual(Object.keys(records[0]!), [
      "path",
      "windowsPath",
      "indicators",
      "sha256",
      "size",
      "verdict",
      "error",
    ]);
  });

  it("with a digester and files at once, a record held for its digest never stalls the others (no deadlock)", async () => {
    // The first worker's first file is read only once the second worker has judged 7 files (a
    // whole window ahead): the first file's record is then held for its digest, and is the one
    // every other record waits for. Before the fix both workers waited for each other for ever
    // (the run's promise never settled).
    const o = await options();
    const image = createImageSnapshot(IMAGE);
    let reads = 0;
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const fs = new Proxy(image.fs, {
      get(target, key) {
        if (key === "readFile")
          return async (p: string, max?: number) => {
            if (reads++ === 0) await gate;
            return target.readFile(p, max);
          };
        const value = Reflect.get(target, key) as unknown;
        return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    let begun = 0;
    const digester: FileDigester = {
      scratches: [new ScratchBuffer(), new ScratchBuffer()],
      begin: (bytes) => {
        begun++;
        return {
          watchedNames: () => undefined,
          sha256: () => createHash("sha256").update(bytes).digest("hex"),
        };
      },
    };
    const paths = Array.from({ length: 12 }, () => `C:\\${FILES[0]}`);
    const records = await triageSnapshotFiles({ ...image, fs }, paths, {
      ...o,
      concurrency: 2,
      digester,
      onProgress: (done) => {
        if (done === 7) open();
      },
    });
    const expected = createHash("sha256")
      .update(readFileSync(hostOf(FILES[0]!)))
      .digest("hex");
    assert.equal(begun, paths.length);
    assert.deepEqual(
      records.map((r) => r!.sha256),
      paths.map(() => expected),
    );
  });

  it("a record carried in a bundle is handed over as it is, whatever keys it has (never taken for one awaiting its digest)", async () => {
    // Bundles are not authenticated: a carried record with a `record` key once crashed the run
    // (TypeError: sha256 is not a function).
    const sha = "a".repeat(64);
    const file = "C:\\Users\\user-1\\x.dll";
    const facts = {
      version: 1,
      files: [
        {
          path: file,
          size: 5,
          sha256: sha,
          imports: [],
          triage: { path: file, sha256: sha, size: 5, verdict: "clean", indicators: [], record: {} },
        },
      ],
    };
    const fs = new BundleFileSystem(
      {
        version: 1,
        entries: [
          {
            path: file,
            stat: { kind: "file", size: 5 },
            content: { withheld: "redaction", facts: "snapshot/pe-facts.json", size: 5 },
          },
        ],
      },
      async () => new TextEncoder().encode(JSON.stringify(facts)),
      "test",
    );
    const snapshot = { mode: "bundle", fs } as unknown as Snapshot;
    const records = await triageSnapshotFiles(snapshot, [file], await options());
    assert.equal(records.length, 1);
    assert.equal(records[0]!.verdict, "clean");
    assert.equal(records[0]!.sha256, sha);
  });

  it("a Windows-path port without the file gives no record (check skips it)", async () => {
    const records = await triageSnapshotFiles(
      createImageSnapshot(IMAGE),
      ["C:\\nope\\x.dll"],
      await options(),
    );
    assert.deepEqual(records, [undefined]);
  });
});

describe("host-files adapter", { skip: !POSIX && "symbolic links and FIFOs are POSIX here" }, () => {
  let dir: string;
  let root: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "koff-host-fs-"));
    root = path.join(dir, "image");
    mkdirSync(path.join(root, "Users", "bob"), { recursive: true });
    mkdirSync(path.join(root, "Windows"));
    mkdirSync(path.join(dir, "outside"));
    copyFileSync(PE, path.join(root, "Users", "bob", "a.dll"));
    copyFileSync(PE, path.join(dir, "outside", "secret.dll"));
    symlinkSync(path.join(dir, "outside", "secret.dll"), path.join(root, "Users", "bob", "link.dll"));
    symlinkSync(path.join(dir, "outside"), path.join(root, "Users", "escape"));
    symlinkSync("loop.dll", path.join(root, "Users", "bob", "loop.dll"));
    spawnSync("mkfifo", [path.join(root, "Users", "bob", "pipe.dll")]);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("lists folders and regular files, and links as files it never reads; no FIFO", async () => {
    const fs = new HostFileSystem({ imageRoot: root });
    const entries = (await fs.list(path.join(root, "Users", "bob")))!;
    assert.deepEqual(
      entries.map((e) => `${e.kind}:${e.name}:${e.size}`),
      ["file:a.dll:4096", "file:link.dll:0", "file:loop.dll:0"],
    );
    assert.equal(await fs.stat(path.join(root, "Users", "bob", "link.dll")), undefined);
    assert.equal(await fs.readFile(path.join(root, "Users", "bob", "link.dll")), undefined);
    assert.equal(await fs.readFile(path.join(root, "Users", "bob", "pipe.dll")), undefined);
    assert.ok(await fs.readFile(path.join(root, "Users", "bob", "a.dll")));
  });

  it("opens for ranged reads only what readFile reads: no link, FIFO, loop, escape or file over the cap", async () => {
    const fs = new HostFileSystem({ imageRoot: root });
    const bob = (name: string) => path.join(root, "Users", "bob", name);
    for (const name of ["link.dll", "loop.dll", "pipe.dll"])
      assert.equal(await fs.openFile(bob(name)), undefined);
    assert.equal(await fs.openFile(path.join(root, "Users", "escape", "secret.dll")), undefined);
    assert.equal(await fs.openFile(bob("a.dll"), 4095), undefined);
    const file = (await fs.openFile(bob("a.dll"), 4096))!;
    try {
      assert.equal(file.size, 4096);
      assert.deepEqual(await file.read(100, 50), readFileSync(PE).subarray(100, 150));
      // Past the end it answers undefined, not a short read.
      assert.equal(await file.read(4090, 10), undefined);
    } finally {
      await file.close();
    }
    assert.equal(await file.read(0, 4), undefined, "closed");
  });

  it("the image port opens for ranged reads what its readFile reads, and nothing else", async () => {
    const fs = new ImageFileSystem(root);
    const win = (name: string) => `C:\\Users\\bob\\${name}`;
    for (const name of ["link.dll", "loop.dll", "pipe.dll"]) {
      assert.equal(await fs.readFile(win(name)), undefined, name);
      assert.equal(await fs.openFile(win(name)), undefined, name);
    }
    assert.equal(await fs.openFile("C:\\Users\\escape\\secret.dll"), undefined);
    assert.equal(await fs.openFile("C:\\Users\\bob\\..\\..\\..\\outside\\secret.dll"), undefined);
    assert.equal(await fs.openFile(win("a.dll"), 4095), undefined);
    const file = (await fs.openFile(win("A.DLL"), 4096))!;
    try {
      assert.equal(file.size, 4096);
      assert.deepEqual(await file.read(100, 50), readFileSync(PE).subarray(100, 150));
    } finally {
      await file.close();
    }
  });

  it("never leaves the image root through a link; without a root the same folder is an ordinary one", async () => {
    const inside = path.join(root, "Users", "escape");
    assert.equal(await new HostFileSystem({ imageRoot: root }).list(inside), undefined);
    assert.equal(
      await new HostFileSystem({ imageRoot: root }).readFile(path.join(inside, "secret.dll")),
      undefined,
    );
    assert.deepEqual(
      (await new HostFileSystem().list(inside))?.map((e) => e.name),
      ["secret.dll"],
    );
    // A folder outside the root is a plain host folder, not an image one.
    assert.deepEqual(
      (await new HostFileSystem({ imageRoot: root }).list(path.join(dir, "outside")))?.map((e) => e.name),
      ["secret.dll"],
    );
  });

  it("a file the user names is read as the shell would: links followed (never out of the image root), loops and FIFOs refused with their code", async () => {
    const { hostNaming } = new HostFileSystem({ imageRoot: root });
    const link = path.join(root, "Users", "bob", "link.dll");
    assert.ok(await new HostFileSystem().hostNaming.readNamedFile(link, 1 << 20));
    const refusal = async (name: string) =>
      hostNaming.readNamedFile(path.join(root, "Users", "bob", name), 1 << 20).then(
        () => "read",
        (e: unknown) => (e instanceof InputFileError ? e.code : String(e)),
      );
    assert.equal(await refusal("link.dll"), "outside-root");
    assert.equal(await refusal("loop.dll"), "symlink-loop");
    assert.equal(await refusal("pipe.dll"), "not-a-file");
    assert.equal(await refusal("a.dll").then(() => "read"), "read");
  });

  it("maps host paths to Windows paths: image root, --as, inferred, none", () => {
    const file = path.join(root, "Users", "bob", "a.dll");
    assert.deepEqual(new HostFileSystem({ imageRoot: root }).hostNaming.windowsPathOf(file), {
      windowsPath: "C:\\Users\\bob\\a.dll",
      origin: "image",
    });
    const as = new HostFileSystem({ originalWindowsPath: "c:/Kit/kofmsp.dll" }).hostNaming;
    assert.deepEqual(as.windowsPathOf(file), { windowsPath: "C:\\Kit\\kofmsp.dll", origin: "native" });
    assert.equal(as.inOriginalFolders, false);
    // `image` holds Users and Windows: it is taken as the volume root.
    assert.deepEqual(new HostFileSystem().hostNaming.windowsPathOf(file), {
      windowsPath: "C:\\Users\\bob\\a.dll",
      origin: "inferred",
    });
    assert.equal(
      new HostFileSystem().hostNaming.windowsPathOf(path.join(dir, "outside", "secret.dll")),
      undefined,
    );
    assert.equal(
      new HostFileSystem({ imageRoot: root }).hostNaming.evidenceName(path.join(dir, "outside"), "x.exe"),
      path.join(dir, "outside", "x.exe"),
    );
  });

  it("createHostSnapshot: files at rest, nothing running, the image's hives as registry", async () => {
    const bare = createHostSnapshot();
    assert.equal(bare.mode, "image");
    assert.deepEqual(Object.keys(bare.unknown), ["processes", "network", "events", "freeDiskBytes"]);
    assert.equal(bare.processes, undefined);
    assert.deepEqual(await bare.registry.users(), []);
    assert.ok(bare.fs.hostNaming);
    const image = createHostSnapshot({ imageRoot: IMAGE });
    assert.ok((await image.registry.users()).some((u) => u.user === "alice"));
  });
});
