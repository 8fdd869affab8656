using MudBlazor;
using MudBlazor.Services;

namespace Replication.Admin.Components;

public static class ComponentsExtensions
{
    /// <summary>Interactive server components with MudBlazor.</summary>
    public static WebApplicationBuilder AddReplicationUi(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices(config =>
        {
            config.SnackbarConfiguration.PositionClass = Defaults.Classes.Position.BottomRight;
            config.SnackbarConfiguration.PreventDuplicates = false;
            config.SnackbarConfiguration.VisibleStateDuration = 5000;
        });
        return builder;
    }
}
