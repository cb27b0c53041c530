// meta: the names temper's API is served under, the labels it stamps on what it owns and the
// annotations it reads and writes. Everything that spells the group, a kind, a label or an
// annotation key imports it from here.

/** group is the API group of every temper kind. */
export const group = "temper.dev";
/** version is the served and stored version of every temper kind. */
export const version = "v1alpha1";
/** apiVersion is group/version as manifests spell it. */
export const apiVersion = `${group}/${version}`;

/** Labels temper stamps: on every child object the operator creates, so watches can filter on them, and on its CRDs. */
export const labels = {
  /** managedBy is the standard label the operator sets on its children. */
  managedBy: "app.kubernetes.io/managed-by",
  /** jobName names the SFTJob or RLJob a child belongs to. */
  jobName: "temper.dev/job-name",
  /** jobKind is SFTJob or RLJob. */
  jobKind: "temper.dev/job-kind",
  /** attempt is the attempt number of the gang a child belongs to. */
  attempt: "temper.dev/attempt",
  /** queueName is Kueue's label; set on the child Job when spec.queueName is set. */
  queueName: "kueue.x-k8s.io/queue-name",
  /** appName and partOf are the standard labels on temper's CRDs. */
  appName: "app.kubernetes.io/name",
  partOf: "app.kubernetes.io/part-of",
} as const;

/** Annotations temper writes on what it owns. */
export const annotations = {
  /** lastReport on an attempt's Job is when its trainer last reported an epoch (RFC 3339): the progress signal, kept across operator restarts. */
  lastReport: "temper.dev/last-report",
} as const;

/** managerName is the value of app.kubernetes.io/managed-by and the operator's field manager. */
export const managerName = "temper-operator";

/** maxJobNameLength bounds SFTJob/RLJob names so that child names (NAME-aN-INDEX) stay DNS labels. */
export const maxJobNameLength = 40;
