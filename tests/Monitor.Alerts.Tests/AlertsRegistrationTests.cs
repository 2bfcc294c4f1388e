using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Monitor.Alerts.Channels;
using Monitor.Alerts.Outbox;

namespace Monitor.Alerts.Tests;

public sealed class AlertsRegistrationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("outbox-host-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static HostApplicationBuilder Builder(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddLogging();
        builder.AddMonitorAlerts();
        return builder;
    }

    [Fact]
    public async Task AddMonitorAlerts_BoundConfiguration_RunsOutboxWithAllChannels()
    {
        using var host = Builder(new()
        {
            ["Alerts:Outbox:Directory"] = _dir,
            ["Alerts:Outbox:MaxAttempts"] = "7",
            ["Alerts:Outbox:BaseDelay"] = "00:00:05",
            ["Alerts:Email:Host"] = "smtp.example.com",
            ["Alerts:Email:Security"] = "SslOnConnect",
            ["Alerts:Http:SecretEnv"] = "MONITOR_WEBHOOK_SECRET",
        }).Build();

        await host.StartAsync();
        var outbox = host.Services.GetRequiredService<FileOutbox>();
        var names = host.Services.GetServices<INotificationChannel>().Select(c => c.Name).Order(StringComparer.Ordinal);
        var options = host.Services.GetRequiredService<IOptions<OutboxOptions>>().Value;
        var email = host.Services.GetRequiredService<IOptions<EmailOptions>>().Value;
        await host.StopAsync();

        Assert.Equal(["alertmanager", "email", "retrain", "slack", "webhook"], names);
        Assert.Equal(0, outbox.Depth);
        Assert.Equal(7, options.MaxAttempts);
        Assert.Equal(TimeSpan.FromSeconds(5), options.BaseDelay);
        Assert.Equal(SmtpSecurity.SslOnConnect, email.Security);
        Assert.Equal("MONITOR_WEBHOOK_SECRET", host.Services.GetRequiredService<IOptions<HttpChannelOptions>>().Value.SecretEnv);
        Assert.True(Directory.Exists(Path.Combine(_dir, "items")));
    }

    [Fact]
    public async Task AddMonitorAlerts_InvalidOutboxOptions_FailsAtStartWithEveryKey()
    {
        using var host = Builder(new() { ["Alerts:Outbox:MaxAttempts"] = "0" }).Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(ex.Failures, f => f.Contains("Outbox:Directory", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.Contains("Outbox:MaxAttempts", StringComparison.Ordinal));
    }
}
