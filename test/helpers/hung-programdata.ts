/**
 * The impostor-in-roaming sample image with one hung port call: listing `C:\ProgramData` never
 * answers, so the stray search (which walks it) can only end by its time limit. Everything else
 * reads the image as usual.
 */
import path from "node:path";
import { createImageSnapshot } from "../../src/adapters/image/image-snapshot.js";
import type { FileSystemPort } from "../../src/ports/file-system.js";
import type { Snapshot } from "../../src/ports/snapshot.js";
import { EXAMPLES } from "./repo.js";

export function impostorWithHungProgramData(): Snapshot {
  const image = createImageSnapshot(path.join(EXAMPLES, "impostor-in-roaming"));
  const never = new Promise<undefined>(() => undefined);
  const fs: FileSystemPort = {
    stat: (p) => image.fs.stat(p),
    list: (p) => (/^C:\\ProgramData$/i.test(p) ? never : image.fs.list(p)),
    readFile: (p, max) => image.fs.readFile(p, max),
    readHead: (p, n) => image.fs.readHead(p, n),
    describe: () => image.fs.describe(),
  };
  return { ...image, fs };
}
