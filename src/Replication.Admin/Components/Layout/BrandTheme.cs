using MudBlazor;

namespace Replication.Admin.Components.Layout;

/// <summary>The product's colours and type: calm blues and teals, system fonts (the app works offline).</summary>
public static class BrandTheme
{
    private static readonly string[] FontStack =
        ["Inter", "Segoe UI", "system-ui", "-apple-system", "Roboto", "Helvetica Neue", "Arial", "sans-serif"];

    public static MudTheme Create() => new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#1D5FD1",
            Secondary = "#0F9D8F",
            Tertiary = "#6D5BD0",
            Info = "#2F80ED",
            Success = "#1E9E5A",
            Warning = "#D98A00",
            Error = "#D64545",
            AppbarBackground = "#0F2A4A",
            AppbarText = "#FFFFFF",
            Background = "#F5F7FB",
            Surface = "#FFFFFF",
            DrawerBackground = "#FFFFFF",
            DrawerText = "#27364B",
            DrawerIcon = "#4A5B73",
            TextPrimary = "#1B2636",
            TextSecondary = "#5B6B80",
            LinesDefault = "#E3E8F0",
            TableLines = "#E9EDF3",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#5B9BFF",
            Secondary = "#2CC5B4",
            Tertiary = "#9D8CFF",
            Info = "#5AA2FF",
            Success = "#3CC07A",
            Warning = "#F0A93B",
            Error = "#F06A6A",
            AppbarBackground = "#0B1524",
            AppbarText = "#E6EDF7",
            Background = "#0F1722",
            Surface = "#162130",
            DrawerBackground = "#121C29",
            DrawerText = "#C9D4E3",
            DrawerIcon = "#9FB0C6",
            TextPrimary = "#E6EDF7",
            TextSecondary = "#9FB0C6",
            LinesDefault = "#253345",
            TableLines = "#223044",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = FontStack },
            H4 = new H4Typography { FontFamily = FontStack, FontWeight = "600" },
            H5 = new H5Typography { FontFamily = FontStack, FontWeight = "600" },
            H6 = new H6Typography { FontFamily = FontStack, FontWeight = "600" },
            Button = new ButtonTypography { FontFamily = FontStack, FontWeight = "600", TextTransform = "none" },
        },
        LayoutProperties = new LayoutProperties { DefaultBorderRadius = "8px", DrawerWidthLeft = "232px" },
    };
}
