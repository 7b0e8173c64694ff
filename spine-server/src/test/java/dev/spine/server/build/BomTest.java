package dev.spine.server.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * spine-bom stays what users import: every published module at the reactor's version, and nothing else (no
 * third-party pin, no parent whose pins an import would bring along).
 */
class BomTest {
    /** Modules of this repository that are never published, so never in the BOM. */
    static final Set<String> UNPUBLISHED = Set.of("spine-bom", "spine-testkit", "spine-bench", "spine-reliability");
    static final Path ROOT = Path.of("..");

    @Test
    void theBomListsEveryPublishedModuleAtTheReactorsVersionAndNothingElse() throws Exception {
        Document parent = read(ROOT.resolve("pom.xml"));
        Document bom = read(ROOT.resolve("spine-bom/pom.xml"));

        assertEquals(0, bom.getDocumentElement().getElementsByTagName("parent").getLength(),
                "spine-bom must have no parent: an imported BOM brings its parent's dependencyManagement along");
        assertEquals(child(parent.getDocumentElement(), "version"), child(bom.getDocumentElement(), "version"),
                "spine-bom/pom.xml's <version> must equal the root pom's");

        Set<String> published = new TreeSet<>();
        for (String module : texts(parent.getDocumentElement(), "module")) {
            if (!UNPUBLISHED.contains(module)) {
                published.add(module);
            }
        }
        Set<String> listed = new TreeSet<>();
        NodeList deps = bom.getElementsByTagName("dependency");
        for (int i = 0; i < deps.getLength(); i++) {
            Element d = (Element) deps.item(i);
            assertEquals("dev.spine", child(d, "groupId"), "the BOM pins dev.spine artifacts only");
            assertEquals("${project.version}", child(d, "version"), child(d, "artifactId"));
            listed.add(child(d, "artifactId"));
        }
        assertEquals(published, listed, "spine-bom lists every published module (root pom <modules> minus "
                + UNPUBLISHED + ")");
    }

    @Test
    void everyPublishedModuleHasTheMetadataARepositoryAsksFor() throws Exception {
        for (String module : texts(read(ROOT.resolve("pom.xml")).getDocumentElement(), "module")) {
            Element pom = read(ROOT.resolve(module).resolve("pom.xml")).getDocumentElement();
            assertTrue(!child(pom, "name").isBlank(), module + " has a <name>");
            assertTrue(!child(pom, "description").isBlank(), module + " has a <description>");
        }
    }

    private static Document read(Path pom) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
    }

    /** The text of {@code parent}'s direct child element {@code name}; "" when absent. */
    private static String child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return e.getTextContent().trim();
            }
        }
        return "";
    }

    private static List<String> texts(Element root, String tag) {
        List<String> out = new ArrayList<>();
        NodeList nodes = root.getElementsByTagName(tag);
        for (int i = 0; i < nodes.getLength(); i++) {
            out.add(nodes.item(i).getTextContent().trim());
        }
        return out;
    }
}
