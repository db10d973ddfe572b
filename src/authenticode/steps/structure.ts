/**
 * Structure steps: is this SignedData an Authenticode signature at all (SpcIndirectDataContent
 * content, exactly one SignerInfo), and does it describe a PE image.
 *
 * Sources: Microsoft "Windows Authenticode Portable Executable Signature Format"
 * (https://learn.microsoft.com/en-us/windows-hardware/drivers/install/authenticode), § "SignedData"
 * and § "SpcIndirectDataContent"; RFC 5652 §5.1.
 */
import { AuthenticodeError } from "../errors.js";
import { OID_SPC_INDIRECT_DATA, OID_SPC_PE_IMAGE_DATA } from "../oids.js";
import { parseSpcIndirectData, type SpcIndirectData } from "../spc-indirect-data.js";
import { malformedResult, parsedCms, record, type SignatureContext } from "../verification-context.js";

/**
 * `parse-cms`: the content is SpcIndirectDataContent and decodes, and there is exactly one
 * SignerInfo. Sets `ctx.cms`. On failure records the signature as `malformed` and stops.
 */
export function parseCmsStep(ctx: SignatureContext): "stop" | void {
  const { sd } = ctx;
  const fail = (reason: string): "stop" => {
    ctx.file.signatures.push(
      malformedResult(ctx.file, ctx.path, ctx.entryIndex, sd.offset, reason, ctx.steps),
    );
    return "stop";
  };
  if (sd.eContentType !== OID_SPC_INDIRECT_DATA || !sd.eContent)
    return fail(
      `SignedData content type is ${sd.eContentType}${sd.eContent ? "" : " without content"}, not SpcIndirectDataContent`,
    );
  let spc: SpcIndirectData;
  try {
    spc = parseSpcIndirectData(sd.eContent, ctx.origin);
  } catch (error) {
    if (!(error instanceof AuthenticodeError)) throw error;
    return fail(`SpcIndirectDataContent cannot be decoded: ${error.message}`);
  }
  const signer = sd.signerInfos[0];
  if (!signer || sd.signerInfos.length !== 1)
    return fail(`SignedData has ${sd.signerInfos.length} SignerInfos; Authenticode requires exactly one`);
  ctx.cms = { spc, signer };
  record(
    ctx,
    "parse-cms",
    "pass",
    `SignedData v${sd.version}, ${sd.certificates.length} certificate(s), SpcIndirectDataContent data type ${spc.dataType}`,
  );
}

/** `spc-data-type`: warns when SpcIndirectDataContent describes something other than SpcPeImageData. */
export function spcDataTypeStep(ctx: SignatureContext): void {
  const { dataType } = parsedCms(ctx).spc;
  if (dataType !== OID_SPC_PE_IMAGE_DATA)
    record(
      ctx,
      "spc-data-type",
      "warn",
      `data type ${dataType} is not SpcPeImageData (${OID_SPC_PE_IMAGE_DATA})`,
    );
}
