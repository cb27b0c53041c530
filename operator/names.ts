// names: how the children of a temper job are named. Pods come out as NAME-aN-INDEX, which is
// why api/meta.ts bounds job names; everything that names a child imports it from here.

/** gangJobName is the batch/v1 Job of one attempt. */
export const gangJobName = (job: string, attempt: number): string => `${job}-a${attempt}`;
/** serviceName is the headless Service that gives worker pods their DNS names. */
export const serviceName = (job: string): string => job;
/** tokenSecretName is the Secret holding the job's report token. */
export const tokenSecretName = (job: string): string => `${job}-report-token`;
/** configMapName holds the TrainerConfig of one attempt. */
export const configMapName = (job: string, attempt: number): string => `${job}-a${attempt}-config`;
/** claimName is the checkpoint claim the operator creates when spec.checkpoint.claimName is empty. */
export const claimName = (job: string): string => `${job}-checkpoints`;
/** masterPort is the port rank 0 listens on for the gang's collective. */
export const masterPort = 29500;
/** Paths inside worker pods. */
export const paths = {
  configDir: "/etc/temper",
  configFile: "/etc/temper/config.json",
  tokenDir: "/var/run/temper",
  tokenFile: "/var/run/temper/token",
  checkpoints: "/checkpoints",
  init: "/init",
} as const;
