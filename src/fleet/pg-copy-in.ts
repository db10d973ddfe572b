/**
 * `COPY … FROM STDIN` on a node-postgres connection in one write: the COPY statement, each chunk
 * of rows as a CopyData message and CopyDone are sent together, without waiting for the
 * server's CopyInResponse. A COPY then costs one round trip instead of two, and it can be
 * pipelined with the statements before and after it (a client in pipeline mode sends each
 * statement as it is issued). The protocol allows it: the server reads the data once it has
 * started the COPY, and when the COPY fails (before or while reading its data) the server
 * answers with an error and drops the CopyData and CopyDone messages that follow.
 *
 * Sources: PostgreSQL, Frontend/Backend Protocol, "COPY Operations" ("any subsequent CopyData,
 * CopyDone, or CopyFail messages issued by the frontend will simply be dropped"),
 * https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-COPY, and "Message Formats"
 * (CopyData: 'd', Int32 length including itself, data), https://www.postgresql.org/docs/current/protocol-message-formats.html;
 * node-postgres, https://node-postgres.com/apis/client (a query object's submit and handlers).
 */
import type pg from "pg";

/** CopyData's message type, `d`. */
const COPY_DATA = 0x64;
/** CopyDone: `c` and its length, 4. */
const COPY_DONE = Buffer.from([0x63, 0, 0, 0, 4]);

/**
 * The handlers node-postgres calls on the query it is answering (lib/client.js): those of
 * `pg.Query`, of which this is a subclass, so that a client in pipeline mode accepts it.
 */
interface CopyInQuery extends pg.Query {
  handleCopyInResponse(): void;
}

type CopyInClass = new (
  sql: string,
  chunks: readonly Uint8Array[],
  callback: (error: Error | null | undefined) => void,
) => CopyInQuery;

const classes = new WeakMap<typeof pg, CopyInClass>();

/** The COPY query class for this node-postgres module (made once per module). */
function copyInClass(module: typeof pg): CopyInClass {
  let made = classes.get(module);
  if (made !== undefined) return made;
  made = class CopyIn extends module.Query {
    constructor(
      sql: string,
      private readonly chunks: readonly Uint8Array[],
      callback: (error: Error | null | undefined) => void,
    ) {
      super(sql, (error) => callback(error));
      // A field, as @types/pg declares `submit`: the statement, then the data, in one write.
      this.submit = (connection: pg.Connection) => {
        const out = connection.stream;
        out.cork();
        try {
          connection.query(sql);
          for (const chunk of this.chunks) {
            const head = Buffer.allocUnsafe(5);
            head[0] = COPY_DATA;
            head.writeUInt32BE(chunk.length + 4, 1);
            out.write(head);
            out.write(chunk);
          }
          out.write(COPY_DONE);
        } finally {
          out.uncork();
        }
      };
    }

    /** The data is on its way already. */
    handleCopyInResponse(): void {}
  };
  classes.set(module, made);
  return made;
}

/**
 * Runs `COPY … FROM STDIN` (`sql`) on `client`, sending `chunks` (the rows in the format the
 * statement names) with the statement.
 * @throws the server's error when the COPY fails; nothing of it is stored.
 */
export function copyIn(
  module: typeof pg,
  client: pg.Client,
  sql: string,
  chunks: readonly Uint8Array[],
): Promise<void> {
  const CopyIn = copyInClass(module);
  return new Promise((resolve, reject) => {
    // node-postgres answers null, not undefined, for no error.
    client.query(new CopyIn(sql, chunks, (error) => (error ? reject(error) : resolve())));
  });
}
