using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monitor.Alerts.Channels;
using Monitor.Alerts.Outbox;

namespace Monitor.Alerts;

/// <summary>Registers alert delivery: options, the five channels, the outbox and the hosted service that runs it.</summary>
public static class AlertsRegistration
{
    /// <summary>
    /// Binds <c>{section}:Outbox</c> (<see cref="OutboxOptions"/>, validated at start-up), <c>{section}:Email</c>
    /// (<see cref="EmailOptions"/>) and <c>{section}:Http</c> (<see cref="HttpChannelOptions"/>); registers every
    /// channel, a singleton <see cref="FileOutbox"/>, and a hosted service running <see cref="FileOutbox.RunAsync"/>.
    /// </summary>
    /// <param name="builder">The host builder.</param>
    /// <param name="section">The configuration section; default <c>Alerts</c>.</param>
    /// <returns>The builder.</returns>
    public static IHostApplicationBuilder AddMonitorAlerts(this IHostApplicationBuilder builder, string section = "Alerts")
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<OutboxOptions>().BindConfiguration(section + ":Outbox").ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OutboxOptions>, OutboxOptionsValidator>());
        services.AddOptions<EmailOptions>().BindConfiguration(section + ":Email");
        services.AddOptions<HttpChannelOptions>().BindConfiguration(section + ":Http");
        services.TryAddSingleton(TimeProvider.System);

        // One long-lived client; recycling pooled connections keeps DNS changes visible. No retry handler: the outbox retries.
        services.AddKeyedSingleton(nameof(AlertsRegistration), (_, _) => new HttpClient(
            new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2), AutomaticDecompression = DecompressionMethods.All },
            disposeHandler: true)
        { Timeout = Timeout.InfiniteTimeSpan });

        services.AddSingleton<INotificationChannel>(sp => new EmailChannel(sp.GetRequiredService<IOptions<EmailOptions>>().Value, sp.GetRequiredService<ILogger<EmailChannel>>()));
        services.AddSingleton<INotificationChannel>(sp => new WebhookChannel(Http(sp), HttpOptions(sp), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<WebhookChannel>>()));
        services.AddSingleton<INotificationChannel>(sp => new SlackChannel(Http(sp), HttpOptions(sp), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<SlackChannel>>()));
        services.AddSingleton<INotificationChannel>(sp => new AlertmanagerChannel(Http(sp), HttpOptions(sp), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<AlertmanagerChannel>>()));
        services.AddSingleton<INotificationChannel>(sp => new RetrainChannel(Http(sp), HttpOptions(sp), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<RetrainChannel>>()));
        services.AddSingleton(sp => new FileOutbox(
            sp.GetRequiredService<IOptions<OutboxOptions>>().Value,
            sp.GetServices<INotificationChannel>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<FileOutbox>>()));
        services.AddHostedService<OutboxHostedService>();
        return builder;
    }

    private static HttpClient Http(IServiceProvider sp) => sp.GetRequiredKeyedService<HttpClient>(nameof(AlertsRegistration));

    private static HttpChannelOptions HttpOptions(IServiceProvider sp) => sp.GetRequiredService<IOptions<HttpChannelOptions>>().Value;
}

/// <summary>Reports every invalid outbox option at start-up with its key and the fix.</summary>
internal sealed class OutboxOptionsValidator : IValidateOptions<OutboxOptions>
{
    public ValidateOptionsResult Validate(string? name, OutboxOptions options)
    {
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>Runs the outbox dispatcher for the life of the host.</summary>
internal sealed class OutboxHostedService(FileOutbox outbox) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await outbox.RunAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutdown; pending items stay on disk.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await outbox.DisposeAsync().ConfigureAwait(false);
    }
}
