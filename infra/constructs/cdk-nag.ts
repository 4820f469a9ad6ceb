// cdk-nag is CommonJS whose named exports Node's ESM loader cannot detect: take them from the default export.
import cdkNag from 'cdk-nag';

export const { AwsSolutionsChecks } = cdkNag;
