/**
 * The image file-system port (src/adapters/image/image-file-system.ts) resolves each folder's
 * listing once, with the entries' types: names match case-insensitively, and a symbolic link is
 * never followed, whether it stands for a folder on the way or for the file itself, inside the
 * image or out of it. The hive port (src/adapters/image/hive-registry-port.ts) resolves its
 * files and users once and answers the same each time.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { HiveRegistryPort } from "../../src/adapters/image/hive-registry-port.js";
import { ImageFileSystem } from "../../src/adapters/image/image-file-system.js";
import { EXAMPLES } from "../helpers/repo.js";

const scratch: string[] = [];
after(() => scratch.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** An image with `Program Files/Kerio/k.dll`, links to its folder and file, and a secret outside. */
function image(): { root: string; fs: ImageFileSystem } {
  const top = mkdtempSync(path.join(tmpdir(), "koff-image-fs-"));
  scratch.push(top);
  const root = path.join(top, "image");
  const kerio = path.join(root, "Program Files", "Kerio");
  mkdirSync(kerio, { recursive: true });
  writeFileSync(path.join(kerio, "k.dll"), "MZ inside");
  mkdirSync(path.join(top, "outside"));
  writeFileSync(path.join(top, "outside", "k.dll"), "MZ outside");
  symlinkSync(kerio, path.join(root, "Program Files", "LinkedIn"));
  symlinkSync(path.join(top, "outside"), path.join(root, "Program Files", "LinkedOut"));
  symlinkSync(path.join(kerio, "k.dll"), path.join(kerio, "link.dll"));
  return { root, fs: new ImageFileSystem(root) };
}

describe("image file system: listings resolved once, links never followed", () => {
  it("names match case-insensitively, and the same path resolves the same again", async () => {
    const { root, fs } = image();
    const host = path.join(root, "Program Files", "Kerio", "k.dll");
    assert.equal(await fs.hostPath("C:\\PROGRAM FILES\\kerio\\K.DLL"), host);
    assert.equal(await fs.hostPath("c:\\program files\\Kerio\\k.dll"), host);
    assert.equal(new TextDecoder().decode(await fs.readFile("C:\\Program Files\\Kerio\\k.dll")), "MZ inside");
    assert.equal((await fs.stat("C:\\Program Files\\Kerio\\k.dll"))?.size, 9);
  });

  it("a folder link on the way, inside the image or out of it, resolves to nothing", async () => {
    const { fs } = image();
    for (const link of ["LinkedIn", "LinkedOut"]) {
      const p = `C:\\Program Files\\${link}\\k.dll`;
      assert.equal(await fs.hostPath(p), undefined, p);
      assert.equal(await fs.readFile(p), undefined, p);
      assert.equal(await fs.stat(p), undefined, p);
      assert.equal(await fs.list(`C:\\Program Files\\${link}`), undefined, p);
    }
  });

  it("a file link resolves to nothing, after its folder was listed and before", async () => {
    const { fs } = image();
    assert.equal(await fs.hostPath("C:\\Program Files\\Kerio\\link.dll"), undefined);
    const listed = await fs.list("C:\\Program Files\\Kerio");
    assert.deepEqual(
      listed?.map((e) => [e.name, e.kind, e.size]),
      [
        ["k.dll", "file", 9],
        ["link.dll", "file", 0],
      ],
    );
    assert.equal(await fs.hostPath("C:\\Program Files\\Kerio\\link.dll"), undefined);
    assert.equal(await fs.readFile("C:\\Program Files\\Kerio\\link.dll"), undefined);
  });

  it("the hive port answers the same users and keys each time it is asked", async () => {
    const port = new HiveRegistryPort(path.join(EXAMPLES, "healthy"));
    const first = await port.users();
    assert.deepEqual(first, [{ user: "alice", root: "HKU\\alice" }]);
    assert.deepEqual(await port.users(), first);
    const hku = await port.getKey("HKU");
    assert.deepEqual(hku?.subkeys, ["alice"]);
    assert.deepEqual(await port.getKey("HKU"), hku);
    const software = await port.getKey("HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion");
    assert.ok(software && software.values.length > 0);
    assert.deepEqual(await port.getKey("HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion"), software);
  });
});
