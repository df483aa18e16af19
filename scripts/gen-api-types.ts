/** `npm run gen:types`: writes web/src/api/types.generated.ts from the server's OpenAPI document. */
import { renameSync, writeFileSync } from "node:fs";
import {
  apiTypesSource,
  DASHBOARD_RESPONSES,
  GENERATED_TYPES_FILE,
  serverOpenApiDocument,
} from "./api-types.ts";

const source = apiTypesSource(await serverOpenApiDocument(), DASHBOARD_RESPONSES);
const temporary = `${GENERATED_TYPES_FILE}.tmp`;
writeFileSync(temporary, source);
renameSync(temporary, GENERATED_TYPES_FILE);
console.log(`wrote ${GENERATED_TYPES_FILE} (${DASHBOARD_RESPONSES.length} types)`);
