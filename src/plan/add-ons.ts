import {
  CONTAINER_PORTS,
  GRAFANA_IMAGE,
  GRAFANA_PORT,
  LOAD_BALANCER_IMAGE,
  LOAD_BALANCER_PORT,
  PROMETHEUS_IMAGE,
  PROMETHEUS_PORT,
} from './defaults.js';
import { LOAD_BALANCER_CONFIG, PROMETHEUS_CONFIG } from '../output-files.js';
import type { LoadBalancerPlan, MonitoringPlan, RestateNode, Tunable } from './model.js';
import type { ClusterOptions } from './options.js';
import { addOnPorts } from './ports.js';
import { publishAll, type Exposure, type PortSpec } from './published-ports.js';
import type { Secrets } from './secrets.js';
import { declare } from './tunables.js';

/** An add-on's port: `<NAME>_PORT_OVERRIDE` on the host, described by who answers there. */
const addOnPort = (
  kind: PortSpec['kind'],
  tunable: string,
  hostPort: number,
  containerPort: number,
  what: string,
): PortSpec => ({ kind, tunable, hostPort, containerPort, description: `Host port of ${what}` });

/** The HAProxy front door (--load-balancer), with every ingress node behind it. */
export function planLoadBalancer(
  options: ClusterOptions,
  exposure: Exposure,
  nodes: RestateNode[],
): { loadBalancer?: LoadBalancerPlan; tunables: Tunable[] } {
  if (!options.loadBalancer) return { tunables: [] };
  const host = addOnPorts(options.portOffset).loadBalancer;
  const { ports, tunables } = publishAll(
    {
      port: addOnPort(
        'load-balancer',
        'LOAD_BALANCER_PORT_OVERRIDE',
        host,
        LOAD_BALANCER_PORT,
        'the load balancer (one URL for invocations)',
      ),
    },
    exposure,
  );
  const loadBalancer: LoadBalancerPlan = {
    service: 'load-balancer',
    image: LOAD_BALANCER_IMAGE,
    port: ports.port,
    configFile: LOAD_BALANCER_CONFIG,
    containerConfigFile: '/usr/local/etc/haproxy/haproxy.cfg',
    backends: nodes
      .filter((n) => n.roles.includes('http-ingress'))
      .map((n) => ({ name: n.name, address: `${n.name}:${CONTAINER_PORTS.ingress}` })),
    healthPath: '/restate/health',
  };
  return { loadBalancer, tunables };
}

/** Prometheus scraping every node, and Grafana on top (--monitoring). */
export function planMonitoring(
  options: ClusterOptions,
  secrets: Secrets,
  exposure: Exposure,
  nodes: RestateNode[],
): { monitoring?: MonitoringPlan; tunables: Tunable[] } {
  if (!options.monitoring) return { tunables: [] };
  const adminPassword = declare({
    name: 'GRAFANA_ADMIN_PASSWORD',
    value: secrets.grafanaAdminPassword,
    secret: true,
    group: 'monitoring',
    description: "Grafana's admin password, generated for this cluster (user: admin)",
  });
  const host = addOnPorts(options.portOffset);
  const { ports, tunables } = publishAll(
    {
      prometheus: addOnPort('prometheus', 'PROMETHEUS_PORT_OVERRIDE', host.prometheus, PROMETHEUS_PORT, 'Prometheus'),
      grafana: addOnPort('grafana', 'GRAFANA_PORT_OVERRIDE', host.grafana, GRAFANA_PORT, 'Grafana'),
    },
    exposure,
  );
  const monitoring: MonitoringPlan = {
    prometheus: {
      service: 'prometheus',
      image: PROMETHEUS_IMAGE,
      port: ports.prometheus,
      configFile: PROMETHEUS_CONFIG,
      volume: 'prometheus-data',
      // Restate serves Prometheus metrics on the fabric port.
      targets: nodes.map((n) => `${n.name}:${CONTAINER_PORTS.fabric}`),
    },
    grafana: {
      service: 'grafana',
      image: GRAFANA_IMAGE,
      port: ports.grafana,
      adminPasswordTunable: adminPassword.name,
      volume: 'grafana-data',
    },
  };
  return { monitoring, tunables: [adminPassword, ...tunables] };
}
