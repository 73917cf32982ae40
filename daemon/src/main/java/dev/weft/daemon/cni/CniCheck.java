package dev.weft.daemon.cni;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.daemon.kernel.HostKernel;
import dev.weft.engine.Controller;
import dev.weft.engine.Endpoint;
import dev.weft.engine.Sandbox;
import dev.weft.engine.WeftException;
import dev.weft.engine.state.EndpointState;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * CHECK: the attachment is recorded, its endpoint is joined under CNI_IFNAME, the interface is in
 * CNI_NETNS, up, with the endpoint's addresses, and the previous result names those addresses.
 * Anything else is error 100 saying what differs.
 */
final class CniCheck {
    private CniCheck() {
    }

    static void check(Controller controller, CniRequest req, CniConfig cfg) {
        if (cfg.prevResult() == null) {
            throw CniError.config("CHECK needs the prevResult of the ADD");
        }
        Sandbox sb;
        try {
            sb = controller.sandbox(req.attachment());
        } catch (WeftException e) {
            throw differs("weft has no attachment of container " + req.containerId() + " as " + req.ifname());
        }
        EndpointState ep = sb.endpoints().stream().map(Endpoint::state).filter(e -> req.ifname().equals(e.ifname()))
                .findFirst().orElseThrow(() -> differs("no endpoint is joined as " + req.ifname()));
        if (!Path.of(req.netns()).equals(sb.netnsPath())) {
            throw differs("the attachment is in " + sb.netnsPath() + ", not " + req.netns());
        }
        Set<String> wanted = new HashSet<>();
        for (String a : new String[] {ep.ipv4(), ep.ipv6()}) {
            if (a != null) {
                wanted.add(a);
            }
        }
        Set<String> listed = new HashSet<>();
        for (JsonNode ip : cfg.prevResult().path("ips")) {
            listed.add(ip.path("address").asText());
        }
        if (!listed.containsAll(wanted)) {
            throw differs("prevResult lists " + listed + ", but the endpoint has " + wanted);
        }
        try {
            Optional<HostKernel.InterfaceState> link = HostKernel.interfaceIn(Path.of(req.netns()), req.ifname());
            if (link.isEmpty() || !link.get().up()) {
                throw differs("interface " + req.ifname() + " is " + (link.isEmpty() ? "missing" : "down") + " in " + req.netns());
            }
            Set<String> present = link.get().addresses();
            if (!present.containsAll(wanted)) {
                throw differs(req.ifname() + " has " + present + ", not " + wanted);
            }
        } catch (RuntimeException e) {
            if (e instanceof CniError) {
                throw e;
            }
            throw differs("cannot inspect " + req.netns() + ": " + e.getMessage());
        }
    }

    private static CniError differs(String details) {
        return new CniError(CniError.NOT_AS_EXPECTED, "attachment not as expected", details);
    }
}
