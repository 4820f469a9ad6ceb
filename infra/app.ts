import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from './constructs/cdk-nag.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundledFunctionCode, placeholderFunctionCode } from './constructs/function-code.ts';
import { readDeploySettings } from './constructs/deploy-settings.ts';
import { PROJECT_TOPOLOGY } from './constructs/topology-input.ts';
import { CalendarIntegrationsStack } from './stack.ts';

/**
 * `npx cdk synth|deploy` entry (cdk.json). Environment-agnostic: no account or region is looked up, so it
 * synthesizes offline; `cdk deploy` takes both from the credentials it runs with.
 */
const app = new App();
const settings = readDeploySettings(app);
const workdir = settings.placeholderCode ? undefined : await mkdtemp(path.join(tmpdir(), 'calendar-integrations-bundles-'));
try {
  const functionCode = workdir ? (await bundledFunctionCode(PROJECT_TOPOLOGY.functions, workdir)).code : placeholderFunctionCode();
  new CalendarIntegrationsStack(app, 'CalendarIntegrationsStack', { functionCode });
  Tags.of(app).add('project', 'calendar-integrations');
  Tags.of(app).add('managed-by', 'cdk');
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  app.synth();
} finally {
  if (workdir) await rm(workdir, { recursive: true, force: true });
}
