package dev.weft.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigInteger;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;

/**
 * Docker's --subnet, --ip-range, --gateway and --aux-address flags turned into IPAM configs: one
 * per subnet, each range, gateway and aux address going to the subnet that contains it.
 */
final class IpamFlags {
    private IpamFlags() {
    }

    static ArrayNode configs(List<String> subnets, List<String> ranges, List<String> gateways, Map<String, String> aux) {
        ArrayNode out = Json.array();
        if (subnets.isEmpty()) {
            if (!ranges.isEmpty() || !gateways.isEmpty() || !aux.isEmpty()) {
                throw new CliException("--ip-range, --gateway and --aux-address need a --subnet");
            }
            return out;
        }
        ObjectNode[] configs = new ObjectNode[subnets.size()];
        for (int i = 0; i < subnets.size(); i++) {
            configs[i] = out.addObject().put("Subnet", subnets.get(i));
        }
        for (String r : ranges) {
            owner(subnets, configs, r, "--ip-range").put("IPRange", r);
        }
        for (String g : gateways) {
            ObjectNode c = owner(subnets, configs, g, "--gateway");
            if (c.has("Gateway")) {
                throw new CliException("two gateways for subnet " + c.path("Subnet").asText());
            }
            c.put("Gateway", g);
        }
        for (Map.Entry<String, String> a : aux.entrySet()) {
            ObjectNode c = owner(subnets, configs, a.getValue(), "--aux-address");
            (c.has("AuxiliaryAddresses") ? (ObjectNode) c.get("AuxiliaryAddresses") : c.putObject("AuxiliaryAddresses"))
                    .put(a.getKey(), a.getValue());
        }
        return out;
    }

    private static ObjectNode owner(List<String> subnets, ObjectNode[] configs, String address, String flag) {
        for (int i = 0; i < subnets.size(); i++) {
            if (contains(subnets.get(i), address, flag)) {
                return configs[i];
            }
        }
        throw new CliException(flag + " " + address + " is in none of the subnets " + subnets);
    }

    /** Whether {@code address} (or a CIDR's first address) lies inside the CIDR {@code subnet}. */
    static boolean contains(String subnet, String address, String flag) {
        try {
            String[] s = subnet.split("/");
            int len = Integer.parseInt(s[1]);
            InetAddress net = InetAddress.ofLiteral(s[0]);
            InetAddress a = InetAddress.ofLiteral(address.split("/")[0]);
            if (net.getAddress().length != a.getAddress().length) {
                return false;
            }
            int bits = net.getAddress().length * 8;
            BigInteger mask = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE).shiftRight(len).not();
            return new BigInteger(1, net.getAddress()).and(mask).equals(new BigInteger(1, a.getAddress()).and(mask));
        } catch (RuntimeException e) {
            throw new CliException("invalid " + flag + " or --subnet: " + address + " / " + subnet);
        }
    }
}
