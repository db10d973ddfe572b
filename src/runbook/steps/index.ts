/**
 * The step table, least invasive first: one entry per {@link StepId}, each keyed by its own id
 * (the type proves both). Source: docs/runbook.md ("Steps"), after GFI's "Troubleshooting Outlook
 * Profile Not Loading When Using Kerio Outlook Connector"
 * (https://support.kerioconnect.gfi.com/article/123680-troubleshooting-outlook-profile-not-loading-when-using-kerio-outlook-connector-koff).
 */
import type { StepDefinition, StepId } from "../model.js";
import { avExclusions } from "./av-exclusions.js";
import { clearCache } from "./clear-cache.js";
import { collectDiagnostics, reinstallKoff, systemFileCheck } from "./guided.js";
import { recreateProfile } from "./recreate-profile.js";
import { removeLeftovers } from "./remove-leftovers.js";
import { resetCache } from "./reset-cache.js";
import { ruleOutInfection } from "./rule-out-infection.js";

export const STEPS = {
  "rule-out-infection": ruleOutInfection,
  "clear-cache": clearCache,
  "recreate-profile": recreateProfile,
  "reset-cache": resetCache,
  "av-exclusions": avExclusions,
  "remove-leftovers": removeLeftovers,
  "collect-diagnostics": collectDiagnostics,
  "system-file-check": systemFileCheck,
  "reinstall-koff": reinstallKoff,
} satisfies { readonly [Id in StepId]: StepDefinition<Id> };
