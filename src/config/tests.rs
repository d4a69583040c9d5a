//! Tests of `config.rs`.

use super::*;

fn args(config: &Path) -> SettingsArgs {
    SettingsArgs {
        addr: None,
        data_dir: Some("from-flag".into()),
        intents_dir: None,
        config: Some(config.to_path_buf()),
        encoder: None,
        trusted_proxies: None,
        allowed_origins: None,
        store_cache_mb: None,
        store: None,
        min_free_mb: None,
        metrics_addr: None,
        log_format: None,
    }
}

#[test]
fn flags_beat_the_file_and_the_file_beats_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tandem.toml");
    std::fs::write(
        &path,
        "addr = \"127.0.0.1:9999\"\ndata_dir = \"from-file\"\n",
    )
    .unwrap();
    let s = resolve(&args(&path)).unwrap();
    assert_eq!(s.addr.port(), 9999);
    assert_eq!(s.data_dir, PathBuf::from("from-flag"));
    assert_eq!(s.intents_dir, PathBuf::from("intents"));
}

#[test]
fn the_owner_sets_how_long_conversations_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tandem.toml");
    std::fs::write(&path, "[retention]\ndays = 30\n").unwrap();
    assert_eq!(resolve(&args(&path)).unwrap().retention.days, 30);
    std::fs::write(&path, "[retention]\nday = 30\n").unwrap();
    let err = resolve(&args(&path)).unwrap_err().to_string();
    assert!(err.contains("day"), "{err}");
}

#[test]
fn the_owner_can_turn_the_encoder_off_or_size_its_worker() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tandem.toml");
    std::fs::write(&path, "[encoder]\nmodel = \"off\"\nthreads = 3\n").unwrap();
    let s = resolve(&args(&path)).unwrap();
    assert_eq!(s.encoder.model, EncoderChoice::Off);
    assert_eq!(s.encoder.worker().threads, 3);
    assert_eq!(s.encoder.queue, WorkerSettings::default().queue);
    let mut flag = args(&path);
    flag.encoder = Some("bundled".into());
    assert_eq!(
        resolve(&flag).unwrap().encoder.model,
        EncoderChoice::Bundled
    );
    std::fs::write(&path, "[encoder]\nthreds = 3\n").unwrap();
    assert!(resolve(&args(&path)).is_err(), "a misspelt key is an error");
}

#[test]
fn the_owner_names_trusted_proxies_and_allowed_origins() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tandem.toml");
    std::fs::write(
        &path,
        "trusted_proxies = [\"10.0.0.0/8\", \"127.0.0.1\"]\nallowed_origins = [\"https://shop.example\"]\n",
    )
    .unwrap();
    let s = resolve(&args(&path)).unwrap();
    assert!(s.trusted_proxies.contains("10.1.2.3".parse().unwrap()));
    assert!(s.trusted_proxies.contains("127.0.0.1".parse().unwrap()));
    assert!(!s.trusted_proxies.contains("192.0.2.1".parse().unwrap()));
    assert!(!s.allowed_origins.is_empty());
    let mut flag = args(&path);
    flag.trusted_proxies = Some(vec!["192.0.2.1".into()]);
    let s = resolve(&flag).unwrap();
    assert!(s.trusted_proxies.contains("192.0.2.1".parse().unwrap()));
    assert!(!s.trusted_proxies.contains("10.1.2.3".parse().unwrap()));
    std::fs::write(&path, "trusted_proxies = [\"proxy.local\"]\n").unwrap();
    let err = resolve(&args(&path)).unwrap_err().to_string();
    assert!(
        err.contains("trusted_proxies") && err.contains("proxy.local"),
        "{err}"
    );
    std::fs::write(&path, "allowed_origins = [\"shop.example\"]\n").unwrap();
    let err = resolve(&args(&path)).unwrap_err().to_string();
    assert!(
        err.contains("allowed_origins") && err.contains("shop.example"),
        "{err}"
    );
    assert_eq!(
        Settings::new(DEFAULT_ADDR.parse().unwrap(), "d", "i").trusted_proxies,
        TrustedProxies::default()
    );
}

#[test]
fn the_owner_caps_the_store_cache_and_sets_the_free_space_minimum() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tandem.toml");
    std::fs::write(&path, "").unwrap();
    let s = resolve(&args(&path)).unwrap();
    assert_eq!(s.store, StoreSettings::default());
    assert_eq!(s.store.options().cache_bytes, 64 * 1024 * 1024);
    std::fs::write(
        &path,
        "metrics_addr = \"127.0.0.1:9090\"\n[store]\ncache_mb = 128\nmin_free_mb = 1024\n",
    )
    .unwrap();
    let s = resolve(&args(&path)).unwrap();
    assert_eq!((s.store.cache_mb, s.store.min_free_mb), (128, 1024));
    assert_eq!(s.metrics_addr.map(|a| a.port()), Some(9090));
    let mut flag = args(&path);
    flag.store_cache_mb = Some(32);
    assert_eq!(resolve(&flag).unwrap().store.cache_mb, 32);
}

#[test]
fn the_owner_sets_the_limits_on_clients() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tandem.toml");
    std::fs::write(
        &path,
        "[limits]\nframes_per_second = 10\noutbox_frames = 128\nconnections_per_ip = 50\n",
    )
    .unwrap();
    let limits = resolve(&args(&path)).unwrap().limits;
    assert_eq!(
        (
            limits.frames_per_second,
            limits.outbox_frames,
            limits.connections_per_ip
        ),
        (10, 128, 50)
    );
    assert_eq!(limits.frame_burst, Limits::default().frame_burst);
    std::fs::write(&path, "[limits]\nframes_per_sec = 10\n").unwrap();
    let err = resolve(&args(&path)).unwrap_err().to_string();
    assert!(err.contains("frames_per_sec"), "{err}");
}

#[test]
fn a_typo_in_the_file_is_reported_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tandem.toml");
    std::fs::write(&path, "\ndata_dri = \"x\"\n").unwrap();
    let err = resolve(&args(&path)).unwrap_err().to_string();
    assert!(err.contains("line 2") && err.contains("data_dri"), "{err}");
}
