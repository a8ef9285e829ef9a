//! `localrec build-site` end to end on a tiny text-only catalogue (JSON Lines, string ids): the
//! missing item vectors are embedded, every file of the folder is in site.json with its true
//! size and sha256, the data's notices travel with it, and what must not happen does not (a
//! bad catalogue leaves nothing behind; a folder that is not a site is never deleted; vectors
//! never outlive the items and texts they encode; the site shares no file with its sources).

use std::path::{Path, PathBuf};
use std::process::Command;

use localrec::catalog::folder::VECTORS;
use localrec::item_vectors::ItemVectors;
use sha2::{Digest, Sha256};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("localrec-site-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A text-only catalogue of three books, and a stand-in for the built page.
fn fixture(root: &Path) -> (PathBuf, PathBuf) {
    let data = root.join("poems");
    write(
        &data.join("catalog.json"),
        r#"{"name": "poems", "title": "Poems", "items": "items.jsonl",
            "columns": {"id": "key", "title": "title", "show": ["poet"]},
            "text": "{title}[ by {poet}].", "attribution": "test", "licence": "CC0"}"#,
    );
    write(
        &data.join("items.jsonl"),
        "{\"key\": \"p-1\", \"title\": \"The Raven\", \"poet\": \"Edgar Allan Poe\"}\n\
         {\"key\": \"p-2\", \"title\": \"Ozymandias\", \"poet\": null}\n\
         {\"key\": \"p-3\", \"title\": \"If—\", \"poet\": [\"Rudyard Kipling\"]}\n",
    );
    write(&data.join("LICENSE"), "CC0\n");
    let web = root.join("web");
    write(&web.join("index.html"), "<!doctype html><title>t</title>");
    write(&web.join("www/app.js"), "export {};\n");
    // Not loaded by the page: left out of a site.
    write(&web.join("www/localrec.d.ts"), "export {};\n");
    write(&web.join("www/README.md"), "# notes\n");
    write(
        &web.join("examples/minimal.html"),
        "<!doctype html><title>e</title>",
    );
    write(&web.join("examples/consumer.ts"), "export {};\n");
    write(&web.join("pkg/localrec.js"), "export default 1;\n");
    write(&web.join("pkg/localrec_bg.wasm"), "\0asm");
    (data, web)
}

fn build_site(dataset: &Path, web: &Path, out: &Path) -> std::process::Output {
    build_site_of(&[dataset], web, out)
}

fn build_site_of(datasets: &[&Path], web: &Path, out: &Path) -> std::process::Output {
    build_site_with(datasets, web, out, &[])
}

fn build_site_with(
    datasets: &[&Path],
    web: &Path,
    out: &Path,
    flags: &[&str],
) -> std::process::Output {
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/all-MiniLM-L6-v2");
    let mut command = Command::new(env!("CARGO_BIN_EXE_localrec"));
    command.arg("build-site");
    for dataset in datasets {
        command.arg("--dataset").arg(dataset);
    }
    command
        .arg("--web")
        .arg(web)
        .arg("--out")
        .arg(out)
        .arg("--model-dir")
        .arg(model)
        .args(flags)
        .output()
        .unwrap()
}

#[test]
fn builds_a_static_site_whose_manifest_lists_every_file_truly() {
    let root = scratch("ok");
    let (data, web) = fixture(&root);
    let out = root.join("site");
    let run = build_site(&data, &web, &out);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        data.join("item_vectors.safetensors").exists(),
        "embedded when missing"
    );
    // The page's text vectors are the folder's in int8 (a scale per row): each value within
    // half of its row's step, at a quarter of f32's bytes.
    let read_vectors = |path: PathBuf| {
        let bytes = std::fs::read(path).unwrap();
        (ItemVectors::from_safetensors(&bytes).unwrap(), bytes.len())
    };
    let (folder, _) = read_vectors(data.join("item_vectors.safetensors"));
    let (page, page_bytes) = read_vectors(out.join("catalogs/poems/item_vectors.safetensors"));
    assert_eq!(
        (page.rows, page.dim, &page.provenance),
        (folder.rows, folder.dim, &folder.provenance)
    );
    assert!(
        page_bytes < folder.rows * folder.dim * 2,
        "{page_bytes} bytes: not int8"
    );
    for row in 0..folder.rows {
        let step = folder.row(row).iter().fold(0f32, |m, v| m.max(v.abs())) / 127.0;
        for (a, b) in page.row(row).iter().zip(folder.row(row)) {
            assert!((a - b).abs() <= step / 2.0 + 1e-6, "row {row}: {a} vs {b}");
        }
    }

    let site: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("site.json")).unwrap()).unwrap();
    assert_eq!(site["format"], "localrec-site");
    let catalog = &site["catalogs"][0];
    assert_eq!(catalog["name"], "poems");
    assert_eq!(catalog["kind"], "text");
    assert_eq!(catalog["items"], 3);
    assert!(catalog["files"].get("head").is_none());
    assert_eq!(
        site["model"]["files"][2], "model.int8.safetensors",
        "the page's default"
    );
    let listed: Vec<&str> = site["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    for must in [
        "index.html",
        "pkg/localrec_bg.wasm",
        "models/all-MiniLM-L6-v2/model.int8.safetensors",
        "catalogs/poems/catalog.json",
        "catalogs/poems/items.jsonl",
        "catalogs/poems/item_vectors.safetensors",
        "catalogs/poems/LICENSE",
    ] {
        assert!(
            listed.contains(&must),
            "{must} is not in site.json: {listed:?}"
        );
    }
    // Only what the page loads: no f32 model (87 MB), types, notes or examples by default.
    for never in [
        "models/all-MiniLM-L6-v2/model.safetensors",
        "www/localrec.d.ts",
        "www/README.md",
        "examples/minimal.html",
    ] {
        assert!(!listed.contains(&never), "{never} is in a default site");
    }
    assert!(site["model"]["weights"].get("f32").is_none());
    // The sizes in all, plain and as a host would send them encoded.
    let sum = |encoding: &str| -> u64 {
        (site["files"].as_array().unwrap().iter())
            .map(|f| {
                f["encoded"][encoding]
                    .as_u64()
                    .unwrap_or(f["bytes"].as_u64().unwrap())
            })
            .sum()
    };
    assert_eq!(site["bytes"]["plain"], sum("none"));
    assert_eq!(site["bytes"]["gz"], sum("gz"));
    assert_eq!(site["bytes"]["br"], sum("br"));
    assert!(site["bytes"]["br"].as_u64() < site["bytes"]["plain"].as_u64());
    // Every file on disk is listed (except site.json itself and the precompressed copies), with
    // its true size and hash; each copy is listed with its file and decodes to the same bytes.
    let mut on_disk = Vec::new();
    let mut copies = Vec::new();
    let mut stack = vec![out.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "gz" || e == "br") {
                copies.push(path);
            } else if path != out.join("site.json") {
                on_disk.push(path);
            }
        }
    }
    assert_eq!(on_disk.len(), listed.len());
    for file in site["files"].as_array().unwrap() {
        let path = file["path"].as_str().unwrap();
        assert!(
            !path.starts_with('/') && !path.contains(".."),
            "{path} is not relative"
        );
        let bytes = std::fs::read(out.join(path)).unwrap();
        assert_eq!(file["bytes"], bytes.len(), "{path}");
        let hash: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(file["sha256"], hash, "{path}");
    }

    assert!(
        copies.iter().any(|c| c.ends_with("items.jsonl.br")),
        "no .br copy of the catalogue: {copies:?}"
    );
    // Every visit reads site.json first: it has its copies too.
    for copy in ["site.json.br", "site.json.gz"] {
        assert!(copies.contains(&out.join(copy)), "no {copy}: {copies:?}");
    }
    for copy in &copies {
        let original = copy.with_extension("");
        let relative = original
            .strip_prefix(&out)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let packed = std::fs::read(copy).unwrap();
        let encoding = copy.extension().unwrap().to_str().unwrap();
        // site.json is not listed in itself; its copies are checked by what they decode to.
        if relative != "site.json" {
            let entry = site["files"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["path"] == relative.as_str())
                .unwrap_or_else(|| panic!("{} copies an unlisted file", copy.display()));
            assert_eq!(
                entry["encoded"][encoding],
                packed.len(),
                "{}",
                copy.display()
            );
        }
        let mut unpacked = Vec::new();
        match encoding {
            "gz" => {
                std::io::Read::read_to_end(
                    &mut flate2::read::GzDecoder::new(&packed[..]),
                    &mut unpacked,
                )
                .unwrap();
            }
            _ => brotli::BrotliDecompress(&mut &packed[..], &mut unpacked).unwrap(),
        }
        assert_eq!(
            unpacked,
            std::fs::read(&original).unwrap(),
            "{}",
            copy.display()
        );
        assert!(
            packed.len() < unpacked.len(),
            "a copy is kept only where smaller"
        );
    }

    // Built again over itself (allowed: it is a site), with the f32 model and the examples as
    // asked for: the examples' pages, not their TypeScript.
    let run = build_site_with(&[&data], &web, &out, &["--f32-model", "--examples"]);
    assert!(run.status.success());
    let site: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("site.json")).unwrap()).unwrap();
    assert_eq!(site["model"]["weights"]["f32"], "model.safetensors");
    assert!(
        out.join("models/all-MiniLM-L6-v2/model.safetensors")
            .exists()
    );
    assert!(out.join("examples/minimal.html").exists());
    assert!(!out.join("examples/consumer.ts").exists());
    // Over a folder of someone's: refused, before anything is embedded.
    let precious = root.join("precious");
    write(&precious.join("notes.txt"), "mine");
    std::fs::remove_file(data.join(VECTORS)).unwrap();
    let run = build_site(&data, &web, &precious);
    assert!(!run.status.success());
    assert!(String::from_utf8_lossy(&run.stderr).contains("not a built site"));
    assert!(precious.join("notes.txt").exists());
    assert!(!data.join(VECTORS).exists(), "refused before embedding");
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn builds_from_any_folder_with_the_checkouts_model() {
    // An adopter's folder, with relative paths and no --model-dir: the model is the checkout's.
    let root = scratch("elsewhere");
    fixture(&root);
    let build_here = |more: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_localrec"))
            .current_dir(&root)
            .args(["build-site", "--dataset", "poems", "--web", "web"])
            .args(["--out", "site"])
            .args(more)
            .output()
            .unwrap()
    };
    let run = build_here(&[]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(root.join("site/site.json").exists());
    assert!(root.join("poems").join(VECTORS).exists());
    // A model folder that is not there is named, with the script that fills one.
    let run = build_here(&["--model-dir", "no-model"]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success());
    assert!(
        stderr.contains(&format!(
            "{}/scripts/fetch-model.sh",
            env!("CARGO_MANIFEST_DIR")
        )),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn a_mistake_in_catalog_json_names_the_folder() {
    let root = scratch("manifest");
    let (data, web) = fixture(&root);
    let manifest = std::fs::read_to_string(data.join("catalog.json")).unwrap();
    write(
        &data.join("catalog.json"),
        &manifest.replace("\"CC0\"}", "\"CC0\",}"),
    );
    let run = build_site(&data, &web, &root.join("site"));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success());
    assert!(
        stderr.contains(&format!("{}: catalog.json: trailing comma", data.display())),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn a_bad_catalogue_is_named_and_leaves_no_site() {
    let root = scratch("bad");
    let (data, web) = fixture(&root);
    write(
        &data.join("items.jsonl"),
        "{\"key\": \"p-1\", \"title\": \"A\", \"poet\": \"X\"}\n{\"key\": \"p-1\", \"title\": \"B\"}\n",
    );
    let out = root.join("site");
    let run = build_site(&data, &web, &out);
    assert!(!run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("\"p-1\" appears on lines 1 and 2"),
        "{stderr}"
    );
    assert!(!out.exists());
    let _ = std::fs::remove_dir_all(&root);
}

/// The folder's vectors by item id.
fn vectors_by_id(data: &Path) -> std::collections::HashMap<String, Vec<f32>> {
    let bytes = std::fs::read(data.join("item_vectors.safetensors")).unwrap();
    let vectors = ItemVectors::from_safetensors(&bytes).unwrap();
    let items = std::fs::read_to_string(data.join("items.jsonl")).unwrap();
    items
        .lines()
        .enumerate()
        .map(|(row, line)| {
            let item: serde_json::Value = serde_json::from_str(line).unwrap();
            (
                item["key"].as_str().unwrap().to_string(),
                vectors.row(row).to_vec(),
            )
        })
        .collect()
}

/// The model's vector for one sentence, from `localrec embed`.
fn embed(text: &str) -> Vec<f32> {
    use std::io::Write;
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/all-MiniLM-L6-v2");
    let mut child = Command::new(env!("CARGO_BIN_EXE_localrec"))
        .arg("embed")
        .arg("--model-dir")
        .arg(model)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{text}").unwrap();
    let out = child.wait_with_output().unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn vectors_follow_a_reordered_or_edited_catalogue() {
    let root = scratch("stale");
    let (data, web) = fixture(&root);
    let out = root.join("site");
    let built = |what: &str| {
        let run = build_site(&data, &web, &out);
        let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
        assert!(run.status.success(), "{what}: {stderr}");
        stderr
    };
    built("first build");
    let first = vectors_by_id(&data);

    // The same rows in reverse order: every vector moves with its item, none is embedded again.
    let items = std::fs::read_to_string(data.join("items.jsonl")).unwrap();
    let reversed: String = items.lines().rev().map(|l| format!("{l}\n")).collect();
    write(&data.join("items.jsonl"), &reversed);
    let stderr = built("reordered");
    assert_eq!(
        vectors_by_id(&data),
        first,
        "a vector stayed at its old row"
    );
    assert!(stderr.contains("0 embedded, 3 reused"), "{stderr}");
    // The page's copy is the folder's, in the new order.
    let page = ItemVectors::from_safetensors(
        &std::fs::read(out.join("catalogs/poems/item_vectors.safetensors")).unwrap(),
    )
    .unwrap();
    let raven = &first["p-1"];
    let step = raven.iter().fold(0f32, |m, v| m.max(v.abs())) / 127.0;
    assert!(
        page.row(2)
            .iter()
            .zip(raven)
            .all(|(a, b)| (a - b).abs() <= step / 2.0 + 1e-6),
        "the page's last row is not The Raven's"
    );

    // One text edited: that item alone is embedded again, to the model's vector of its text.
    write(
        &data.join("items.jsonl"),
        &reversed.replace("Ozymandias", "Sonnet 18"),
    );
    let stderr = built("edited");
    let edited = vectors_by_id(&data);
    assert_eq!(
        (&edited["p-1"], &edited["p-3"]),
        (&first["p-1"], &first["p-3"])
    );
    let truth = embed("Sonnet 18.");
    let cosine: f32 = edited["p-2"].iter().zip(&truth).map(|(a, b)| a * b).sum();
    assert!(
        cosine > 0.999,
        "the edited item's vector is not its text's: cos {cosine}"
    );
    assert!(stderr.contains("1 embedded, 2 reused"), "{stderr}");

    // Nothing in the published files names the builder's folders.
    let root_text = root.display().to_string();
    for (key, value) in &page.provenance {
        assert!(
            !value.contains(&root_text),
            "{key} = {value} is a local path"
        );
    }
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn the_site_does_not_change_with_its_sources_nor_they_with_it() {
    let root = scratch("copies");
    let (data, web) = fixture(&root);
    let out = root.join("site");
    let run = build_site(&data, &web, &out);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let site_items = out.join("catalogs/poems/items.jsonl");
    let published = std::fs::read(&site_items).unwrap();
    // Rewritten in place (the same inode, as an editor or a script may): the site keeps its copy.
    let rewrite = |path: &Path, text: &str| {
        use std::io::Write;
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(path)
            .unwrap();
        file.write_all(text.as_bytes()).unwrap();
    };
    rewrite(
        &data.join("items.jsonl"),
        "{\"key\": \"x\", \"title\": \"X\"}\n",
    );
    assert_eq!(std::fs::read(&site_items).unwrap(), published);
    rewrite(&out.join("index.html"), "edited on the host");
    assert_eq!(
        std::fs::read_to_string(web.join("index.html")).unwrap(),
        "<!doctype html><title>t</title>"
    );
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn adapt_leaves_a_catalogue_without_lists_as_it_is_and_says_why() {
    let root = scratch("adapt-text-only");
    let (data, web) = fixture(&root);
    let out = root.join("site");
    let built = build_site_with(&[&data], &web, &out, &["--adapt"]);
    let stderr = String::from_utf8_lossy(&built.stderr);
    assert!(built.status.success(), "{stderr}");
    assert!(
        stderr.contains("no public lists, so nothing to fine-tune"),
        "{stderr}"
    );
    assert!(!data.join("adapter.safetensors").exists());
    assert!(!out.join("catalogs/poems/adapter.safetensors").exists());
}
