import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { Validations, type Acknowledgment } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AwsSolutionsChecks } from '../../infra/constructs/cdk-nag.ts';
import { TOPOLOGIES } from './support/extended-topology.ts';
import { synthesize } from './support/synth.ts';

const MIN_REASON_LENGTH = 40;

function acknowledgementsIn(root: IConstruct): { path: string; id: string; reason: unknown }[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, unknown>).map(([id, reason]) => ({ path: construct.node.path, id: id.replace(/^annotation::/i, ''), reason })),
      ),
  );
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe.each(TOPOLOGIES)('cdk-nag AwsSolutions on the $name', ({ topology }) => {
  let synthesized: ReturnType<typeof synthesize> | undefined;
  const synthesizedStack = () => (synthesized ??= synthesize({ topology })).stack;

  it('reports no unacknowledged error or warning', () => {
    // Prepare
    const stack = synthesizedStack();

    // Act
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(stack);

    // Assess
    const findings = report.violations.map((violation) => `${violation.severity} ${violation.ruleName}: ${violation.violatingResources.map((r) => r.constructPath).join(', ')}`);
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('leaves no CDK warning or error annotation', () => {
    // Prepare + Act
    const annotations = Annotations.fromStack(synthesizedStack());

    // Assess
    expect(annotations.findWarning('*', Match.anyValue())).toEqual([]);
    expect(annotations.findError('*', Match.anyValue())).toEqual([]);
  });

  it('justifies every acknowledgement in writing', () => {
    // Prepare + Act
    const acknowledgements = acknowledgementsIn(synthesizedStack());

    // Assess
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const acknowledgement of acknowledgements) {
      expect(acknowledgement.id, acknowledgement.path).toMatch(/^AwsSolutions-[A-Z]+\d+/);
      expect(typeof acknowledgement.reason, acknowledgement.path).toBe('string');
      expect((acknowledgement.reason as string).trim().length, `${acknowledgement.path} ${acknowledgement.id}`).toBeGreaterThanOrEqual(MIN_REASON_LENGTH);
    }
  });

  it('acknowledges only findings that would otherwise be reported (no stale suppressions)', () => {
    // Prepare: record acknowledgements without applying them
    const recorded: { path: string; id: string }[] = [];
    vi.spyOn(Validations.prototype, 'acknowledge').mockImplementation(function (this: Validations, ...rules: Acknowledgment[]) {
      const scope = (this as unknown as { scope: IConstruct }).scope;
      for (const rule of rules) recorded.push({ path: scope.node.path, id: rule.id });
    });
    const { stack } = synthesize({ topology });

    // Act
    const report = new AwsSolutionsChecks().validateScope(stack);

    // Assess: each acknowledgement matches a finding on that construct (or below it)
    expect(recorded.length).toBeGreaterThan(0);
    for (const { path, id } of recorded) {
      const finding = report.violations.find(
        (violation) => violation.ruleName === id && violation.violatingResources.some((resource) => resource.constructPath === path || resource.constructPath?.startsWith(`${path}/`)),
      );
      expect(finding, `${id} on ${path}`).toBeDefined();
    }
  });
});

describe('cdk-nag as a synthesis plugin (how infra/app.ts registers it)', () => {
  async function appWithNonCompliantQueue(acknowledge: boolean) {
    const { App, Stack } = await import('aws-cdk-lib');
    const sqs = await import('aws-cdk-lib/aws-sqs');
    const app = new App();
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const queue = new sqs.Queue(new Stack(app, 'Probe'), 'Queue', { enforceSSL: true });
    if (acknowledge) Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'Probe queue of this test: it has no consumer and no DLQ.' });
    return app;
  }

  it('fails synthesis on a finding', async () => {
    // Prepare
    const app = await appWithNonCompliantQueue(false);

    // Act + Assess
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS3/);
  });

  it('passes synthesis once the finding is acknowledged', async () => {
    // Prepare
    const app = await appWithNonCompliantQueue(true);

    // Act + Assess
    expect(() => app.synth()).not.toThrow();
  });
});
