// Prints the dashboard as JSON (npm run build writes it to error_budget.json; the
// test command checks that file is current).
import { dashboard } from './dashboard';

declare const process: { stdout: { write(text: string): void } };  // (no @types/node needed)

process.stdout.write(JSON.stringify(dashboard, null, 2) + '\n');
